namespace GenArt.Diffusion.Pipelines;

/// <summary>A request the engine refuses before any compute; <see cref="Field"/> names the offending field.</summary>
public sealed class GenerationValidationException(string field, string message) : ArgumentException($"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>The engine's rules for a batch, checked whole before a tensor is created.</summary>
public static class GenerationValidation
{
    public const int MaxSteps = 200;

    public static void Validate(GenerationSettings settings, IReadOnlyList<SampleRequest> samples, int maxImageSide, IReadOnlyCollection<string> schedulers)
    {
        if (samples.Count == 0) throw new GenerationValidationException("samples", "a batch needs at least one sample");
        CheckSide("width", settings.Width, maxImageSide);
        CheckSide("height", settings.Height, maxImageSide);
        if (settings.Steps <= 0 || settings.Steps > MaxSteps)
            throw new GenerationValidationException("steps", $"must be between 1 and {MaxSteps}, got {settings.Steps}");
        if (!schedulers.Contains(settings.Scheduler))
            throw new GenerationValidationException("scheduler", $"unknown scheduler '{settings.Scheduler}'; known: {string.Join(", ", schedulers)}");
        if (settings.ClipSkip < 0)
            throw new GenerationValidationException("clip_skip", $"must be 0 or more, got {settings.ClipSkip}");
        if (settings.Mode == GenerationMode.ImageToImage && (double.IsNaN(settings.Strength) || settings.Strength <= 0 || settings.Strength > 1))
            throw new GenerationValidationException("strength", $"must be in (0, 1], got {settings.Strength}");

        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            if (s.Prompt is null) throw new GenerationValidationException($"samples[{i}].prompt", "is required");
            if (!double.IsFinite(s.GuidanceScale) || s.GuidanceScale < 0)
                throw new GenerationValidationException($"samples[{i}].guidance_scale", $"must be a finite number >= 0, got {s.GuidanceScale}");
            for (int a = 0; a < s.Adapters.Count; a++)
            {
                var use = s.Adapters[a];
                if (use is null || use.Adapter is null)
                    throw new GenerationValidationException($"samples[{i}].adapters[{a}]", "is required");
                if (!double.IsFinite(use.Scale))
                    throw new GenerationValidationException($"samples[{i}].adapters[{a}].scale", $"must be a finite number, got {use.Scale}");
                if (use.Adapter.IsDisposed)
                    throw new GenerationValidationException($"samples[{i}].adapters[{a}]", $"adapter '{use.Adapter.Id}' was unloaded");
            }
            if (settings.Mode == GenerationMode.ImageToImage)
            {
                if (s.InitImage is null)
                    throw new GenerationValidationException($"samples[{i}].init_image", "img2img needs an init image");
                if (s.InitImage.Width != settings.Width || s.InitImage.Height != settings.Height)
                    throw new GenerationValidationException($"samples[{i}].init_image",
                        $"is {s.InitImage.Width}x{s.InitImage.Height} but the request is {settings.Width}x{settings.Height}");
            }
            else if (s.InitImage is not null)
            {
                throw new GenerationValidationException($"samples[{i}].init_image", "an init image needs mode img2img");
            }
        }
    }

    private static void CheckSide(string field, int value, int max)
    {
        if (value <= 0 || value % 8 != 0)
            throw new GenerationValidationException(field, $"must be a positive multiple of 8, got {value}");
        if (value > max)
            throw new GenerationValidationException(field, $"must be at most {max} for this model, got {value}");
    }
}
