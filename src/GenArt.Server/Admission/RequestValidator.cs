using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Rpc;
using JobsMode = GenArt.Jobs.GenerationMode;
using JobsPriority = GenArt.Jobs.JobPriority;
using AdapterRef = GenArt.Jobs.AdapterRef;

namespace GenArt.Server.Admission;

/// <summary>A request checked against the server's rules and its model, with every default resolved.</summary>
public sealed record ValidatedRequest(BatchSpec Batch, JobsPriority Priority, IReadOnlyList<SampleSpec> Samples, string? IdempotencyKey);

/// <summary>
/// Checks every field of a <see cref="GenerateRequest"/> and resolves defaults. A broken rule is INVALID_ARGUMENT
/// naming the field (an unknown model is NOT_FOUND), so clients never see the engine's or queue's errors for
/// their own mistakes.
/// </summary>
public sealed class RequestValidator(ModelCatalog models, ServerOptions options)
{
    private const int MaxIdempotencyKey = 128;
    private const int MaxSteps = 200;

    public ValidatedRequest Validate(GenerateRequest r)
    {
        var model = Model(r.Model);
        Check(r.Prompt.Length > 0 && !string.IsNullOrWhiteSpace(r.Prompt), "prompt", "is required");
        Check(r.Prompt.Length <= options.MaxPromptLength, "prompt", $"must be at most {options.MaxPromptLength} characters, got {r.Prompt.Length}");
        Check(r.NegativePrompt.Length <= options.MaxPromptLength, "negative_prompt", $"must be at most {options.MaxPromptLength} characters, got {r.NegativePrompt.Length}");
        int width = Side("width", r.Width, model), height = Side("height", r.Height, model);
        int steps = r.Steps == 0 ? model.DefaultSteps : (int)Math.Min(r.Steps, int.MaxValue);
        Check(steps is >= 1 and <= MaxSteps, "steps", $"must be between 1 and {MaxSteps}, got {r.Steps}");
        string scheduler = Scheduler(r.Scheduler, model);
        double guidance = r.HasGuidanceScale ? r.GuidanceScale : model.DefaultGuidance;
        Check(double.IsFinite(guidance) && guidance >= 0, "guidance_scale", $"must be a finite number >= 0, got {r.GuidanceScale}");
        int count = r.NumImages == 0 ? 1 : (int)Math.Min(r.NumImages, int.MaxValue);
        Check(count >= 1 && count <= options.MaxImagesPerRequest, "num_images", $"must be between 1 and {options.MaxImagesPerRequest}, got {r.NumImages}");
        Check(count <= options.MaxBatchSamples, "num_images", $"must be at most the batch size {options.MaxBatchSamples}, got {count}");
        ulong seed = r.HasSeed ? r.Seed : (ulong)Random.Shared.NextInt64(0, long.MaxValue);
        Check(seed <= ulong.MaxValue - (ulong)(count - 1), "seed", $"seed + num_images - 1 must fit in 64 bits, got {seed}");
        Check(r.IdempotencyKey.Length <= MaxIdempotencyKey, "idempotency_key", $"must be at most {MaxIdempotencyKey} characters");
        Check(Enum.IsDefined(r.Priority), "priority", $"unknown priority {(int)r.Priority}");
        Check(Enum.IsDefined(r.Mode), "mode", $"unknown mode {(int)r.Mode}");
        var adapters = Adapters(r);

        bool img2img = r.Mode == Api.V1.GenerationMode.Img2Img;
        double strength = 1;
        byte[]? init = null;
        if (img2img)
        {
            strength = r.HasStrength ? r.Strength : 0.75;
            Check(double.IsFinite(strength) && strength > 0 && strength <= 1, "strength", $"must be in (0, 1], got {r.Strength}");
            Check(!r.InitImage.IsEmpty, "init_image", "img2img needs an init image");
            init = InitImage.CheckedPng(r.InitImage.Span, width, height);
        }
        else
        {
            Check(r.InitImage.IsEmpty, "init_image", "an init image needs mode GENERATION_MODE_IMG2IMG");
            Check(!r.HasStrength, "strength", "applies to img2img only");
        }

        var key = new BatchKey(model.Name, width, height, steps, scheduler, img2img ? JobsMode.ImageToImage : JobsMode.TextToImage);
        var samples = Enumerable.Range(0, count)
            .Select(i => new SampleSpec(r.Prompt, r.NegativePrompt, unchecked((long)(seed + (ulong)i)), guidance, adapters, i))
            .ToList();
        var priority = r.Priority == Priority.Batch ? JobsPriority.Batch : JobsPriority.Interactive;
        return new ValidatedRequest(new BatchSpec(key, strength, init, 0), priority, samples, r.IdempotencyKey.Length == 0 ? null : r.IdempotencyKey);
    }

    /// <summary>
    /// The adapters' names and scales; whether the caller owns them is checked by <see cref="AdapterAuthorizer"/>.
    /// A scale of 0 (the proto default when unset) means 1, the trained strength.
    /// </summary>
    private List<AdapterRef> Adapters(GenerateRequest r)
    {
        Check(r.Adapters.Count <= options.MaxAdaptersPerRequest, "adapters", $"at most {options.MaxAdaptersPerRequest} adapters per request, got {r.Adapters.Count}");
        var list = new List<AdapterRef>(r.Adapters.Count);
        for (int i = 0; i < r.Adapters.Count; i++)
        {
            var a = r.Adapters[i];
            if (AdapterNaming.Problem(a.Name) is string problem) Check(false, $"adapters[{i}].name", problem);
            Check(list.All(x => x.Name != a.Name), $"adapters[{i}].name", $"adapter '{a.Name}' is already listed");
            double scale = a.Scale == 0 ? 1 : a.Scale;
            Check(double.IsFinite(scale) && Math.Abs(scale) <= options.MaxAdapterScale, $"adapters[{i}].scale",
                $"must be a finite number from {-options.MaxAdapterScale} to {options.MaxAdapterScale}, got {a.Scale}");
            list.Add(new AdapterRef(a.Name, scale));
        }
        return list;
    }

    private ModelDescriptor Model(string name)
    {
        if (name.Length == 0)
            return models.Default ?? throw new RpcException(StatusCode.FailedPrecondition, "model: this server has no models");
        return models.Find(name) ?? throw new RpcException(StatusCode.NotFound,
            $"model: '{name}' is not a model of this server; known: {string.Join(", ", models.All.Select(m => m.Name))}");
    }

    private static int Side(string field, uint value, ModelDescriptor model)
    {
        if (value == 0) return model.NativeSide;
        Check(value % 8 == 0, field, $"must be a multiple of 8, got {value}");
        Check(value <= model.MaxSide, field, $"must be at most {model.MaxSide} for model {model.Name}, got {value}");
        return (int)value;
    }

    /// <summary>Accepts the model's ids with '-' or '_' in any case (the proto's examples use '_').</summary>
    private static string Scheduler(string name, ModelDescriptor model)
    {
        if (name.Length == 0) return model.DefaultScheduler;
        string id = name.Trim().Replace('_', '-').ToLowerInvariant();
        return model.Schedulers.FirstOrDefault(s => s == id)
            ?? throw new RpcException(StatusCode.InvalidArgument, $"scheduler: unknown scheduler '{name}'; known: {string.Join(", ", model.Schedulers)}");
    }

    internal static void Check(bool ok, string field, string rule)
    {
        if (!ok) throw new RpcException(StatusCode.InvalidArgument, $"{field}: {rule}");
    }
}
