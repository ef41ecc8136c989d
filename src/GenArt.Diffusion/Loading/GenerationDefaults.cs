using System.Text.Json;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Schedulers;

namespace GenArt.Diffusion.Loading;

/// <summary>
/// The sampling settings a model renders best with, used wherever a request leaves one out. A diffusers folder may
/// carry them in <c>generation_config.json</c> (keys <c>scheduler</c>, <c>num_inference_steps</c>,
/// <c>guidance_scale</c>, each optional); what it leaves out, and every model without the file, gets
/// <see cref="Standard"/>: Stable Diffusion's usual 20 steps of DPM++ 2M Karras at guidance 7.5.
/// </summary>
public sealed record GenerationDefaults(string Scheduler, int Steps, double GuidanceScale)
{
    public const string FileName = "generation_config.json";
    public const double MaxGuidanceScale = 50;

    public static GenerationDefaults Standard { get; } = new("dpmpp-2m-karras", 20, 7.5);

    /// <summary>The defaults of the model at <paramref name="modelPath"/>: its folder's <see cref="FileName"/> over
    /// <see cref="Standard"/>, or <see cref="Standard"/> for a single-file checkpoint or a folder without the file.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object, or a key holds a value no request could
    /// use; the message names the file and the key.</exception>
    public static GenerationDefaults Read(string modelPath)
    {
        string path = Path.Combine(modelPath, FileName);
        return Directory.Exists(modelPath) && File.Exists(path) ? Parse(File.ReadAllText(path), path) : Standard;
    }

    /// <summary>Parses the JSON of a <see cref="FileName"/>; <paramref name="source"/> names it in errors.</summary>
    public static GenerationDefaults Parse(string json, string source = FileName) =>
        JsonFields.ReadObject(json, source, root =>
        {
            var result = Standard;
            if (root.TryGetProperty("scheduler", out var scheduler))
            {
                if (scheduler.ValueKind != JsonValueKind.String || !SchedulerFactory.IsKnown(scheduler.GetString()!))
                    throw Bad("scheduler", $"one of {string.Join(", ", SchedulerFactory.Names)}");
                result = result with { Scheduler = SchedulerFactory.Normalize(scheduler.GetString()!) };
            }
            if (root.TryGetProperty("num_inference_steps", out var steps))
            {
                if (steps.ValueKind != JsonValueKind.Number || !steps.TryGetInt32(out int n) || n < 1 || n > GenerationValidation.MaxSteps)
                    throw Bad("num_inference_steps", $"a whole number from 1 to {GenerationValidation.MaxSteps}");
                result = result with { Steps = n };
            }
            if (root.TryGetProperty("guidance_scale", out var guidance))
            {
                if (guidance.ValueKind != JsonValueKind.Number || !guidance.TryGetDouble(out double g) || !(g >= 0 && g <= MaxGuidanceScale))
                    throw Bad("guidance_scale", $"a number from 0 to {MaxGuidanceScale}");
                result = result with { GuidanceScale = g };
            }
            return result;

            InvalidDataException Bad(string key, string expected) => new($"{source}: \"{key}\" must be {expected}");
        });
}
