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

/// <summary>A LoRA fine-tune for a worker to train: the adapter's shape, the optimizer settings and where the
/// prepared training set lies.</summary>
/// <param name="AdapterName">Name the adapter is registered under for the job's tenant when training ends.</param>
/// <param name="BaseModel">Model trained against (a model name the workers serve).</param>
/// <param name="Rank">LoRA rank, 1-128.</param>
/// <param name="Alpha">LoRA alpha, greater than 0.</param>
/// <param name="Steps">Optimizer steps, 1-100,000.</param>
/// <param name="LearningRate">AdamW learning rate in (0, 1].</param>
/// <param name="BatchSize">Images per step, 1-64.</param>
/// <param name="Resolution">Side of the square training images, a multiple of 8.</param>
/// <param name="Seed">Seeds the adapter's initialisation, the image order and the noise.</param>
/// <param name="TriggerWord">The word that calls up the fine-tune in prompts.</param>
/// <param name="TrainTextEncoder">Also adapt the text encoder's attention projections.</param>
/// <param name="TrainingSet">Folder under <c>{data}/finetunes/</c> holding the prepared images and captions; every
/// worker that may claim the entry must see the same data directory.</param>
/// <param name="ImageCount">Images in the training set.</param>
/// <param name="CheckpointEvery">A checkpoint every this many steps, from which another worker resumes.</param>
/// <param name="PreviewEvery">A preview render with the current weights every this many steps; 0 for none.</param>
public sealed record FineTuneJobSpec(
    string AdapterName,
    string BaseModel,
    int Rank,
    double Alpha,
    int Steps,
    double LearningRate,
    int BatchSize,
    int Resolution,
    ulong Seed,
    string TriggerWord,
    bool TrainTextEncoder,
    string TrainingSet,
    int ImageCount,
    int CheckpointEvery,
    int PreviewEvery);

/// <summary>
/// One unit of queue work: a batch of jobs sharing <see cref="Batch"/>, claimed, acknowledged and retried as a whole.
/// </summary>
/// <param name="Kind">Which stream the entry travels on.</param>
/// <param name="Priority">Claim order; every job in the entry has this priority.</param>
/// <param name="Batch">Shared generation parameters: required for <see cref="EntryKind.Generate"/>, null otherwise.</param>
/// <param name="Jobs">The jobs, at least one; exactly one for <see cref="EntryKind.FineTune"/>, whose samples are the
/// preview renders made with and without the new adapter at the end.</param>
/// <param name="FineTune">The training run: required for <see cref="EntryKind.FineTune"/>, null otherwise.</param>
public sealed record QueueEntry(
    EntryKind Kind,
    JobPriority Priority,
    BatchSpec? Batch,
    IReadOnlyList<JobSpec> Jobs,
    FineTuneJobSpec? FineTune = null)
{
    /// <summary>Number of images the entry asks for across its jobs.</summary>
    [JsonIgnore]
    public int SampleCount => Jobs.Sum(j => j.Samples.Count);

    /// <summary>The generation parameters of a <see cref="EntryKind.Generate"/> entry.</summary>
    /// <exception cref="InvalidOperationException">The entry is of another kind.</exception>
    [JsonIgnore]
    public BatchSpec GenerateBatch => Batch ?? throw new InvalidOperationException($"a {Kind} entry has no batch");
}
