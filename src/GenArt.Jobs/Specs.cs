using System.Text.Json.Serialization;

namespace GenArt.Jobs;

/// <summary>A LoRA adapter applied to one sample at the given scale.</summary>
public sealed record AdapterRef(string Name, double Scale);

/// <summary>One image to make: everything that varies per image within a batch.</summary>
/// <param name="Prompt">Positive prompt text.</param>
/// <param name="NegativePrompt">Negative prompt text; empty for none.</param>
/// <param name="Seed">Seed of this sample's own noise generator, so the image does not depend on its batch.</param>
/// <param name="GuidanceScale">Classifier-free guidance scale.</param>
/// <param name="Adapters">Adapters for this sample, in application order.</param>
/// <param name="ImageIndex">Index of the image within its job, reported back in <see cref="JobImage.Index"/>.</param>
public sealed record SampleSpec(
    string Prompt,
    string NegativePrompt,
    long Seed,
    double GuidanceScale,
    IReadOnlyList<AdapterRef> Adapters,
    int ImageIndex);

/// <summary>
/// The parameters that must be equal for requests to share one denoising batch; the front end coalesces
/// requests with equal keys (record equality) into one <see cref="QueueEntry"/>.
/// </summary>
public sealed record BatchKey(
    string Model,
    int Width,
    int Height,
    int Steps,
    string Scheduler,
    GenerationMode Mode);

/// <summary>Everything a worker needs for a batch beyond its samples.</summary>
/// <param name="Key">The shared shape of the batch.</param>
/// <param name="Strength">Image-to-image noise strength in (0, 1]; ignored (use 1) for text-to-image.</param>
/// <param name="InitImagePng">The PNG to start from for image-to-image; null for text-to-image.</param>
/// <param name="ClipSkip">Number of final CLIP layers to skip; 0 for none.</param>
public sealed record BatchSpec(BatchKey Key, double Strength, byte[]? InitImagePng, int ClipSkip);

/// <summary>One caller's request: its identity, owner, urgency and images.</summary>
/// <param name="Id">Made by the front end with <see cref="JobId.New"/>; kept only if the job is new.</param>
/// <param name="Tenant">Owning tenant (brand); only it can see or cancel the job.</param>
/// <param name="Priority">Must equal the priority of the entry carrying the job.</param>
/// <param name="IdempotencyKey">
/// Client-chosen key: a second job of the same tenant with the same key is the first job again.
/// Null for none.
/// </param>
/// <param name="Deadline">Absolute UTC time after which the job fails with DeadlineExceeded; null for none.</param>
/// <param name="CreatedAt">When the front end accepted the request.</param>
/// <param name="Samples">The images to make, at least one.</param>
public sealed record JobSpec(
    JobId Id,
    string Tenant,
    JobPriority Priority,
    string? IdempotencyKey,
    DateTimeOffset? Deadline,
    DateTimeOffset CreatedAt,
    IReadOnlyList<SampleSpec> Samples);

/// <summary>
/// One unit of queue work: a batch of jobs sharing <see cref="Batch"/>, claimed, acknowledged and retried as a whole.
/// </summary>
/// <param name="Kind">Which stream the entry travels on.</param>
/// <param name="Priority">Claim order; every job in the entry has this priority.</param>
/// <param name="Batch">Shared generation parameters (required for <see cref="EntryKind.Generate"/>).</param>
/// <param name="Jobs">The jobs, at least one.</param>
public sealed record QueueEntry(EntryKind Kind, JobPriority Priority, BatchSpec Batch, IReadOnlyList<JobSpec> Jobs)
{
    /// <summary>Number of images the entry asks for across its jobs.</summary>
    [JsonIgnore]
    public int SampleCount => Jobs.Sum(j => j.Samples.Count);
}
