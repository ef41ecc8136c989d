using System.Text.Json.Serialization;

namespace GenArt.Jobs;

/// <summary>One event on a job's stream.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Sequence">Assigned by the queue: 1 for the first event of a job, then +1 for each stored event.</param>
/// <param name="Timestamp">When the queue stored it.</param>
/// <param name="Body">What happened.</param>
public sealed record JobEvent(JobId JobId, long Sequence, DateTimeOffset Timestamp, JobEventBody Body);

/// <summary>
/// What happened to a job. A terminal body (<see cref="JobCompleted"/>, <see cref="JobFailed"/>,
/// <see cref="JobCancelled"/>) ends the job's stream.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(JobAccepted), "accepted")]
[JsonDerivedType(typeof(JobProgress), "progress")]
[JsonDerivedType(typeof(JobImage), "image")]
[JsonDerivedType(typeof(TrainingStep), "training-step")]
[JsonDerivedType(typeof(TrainingResult), "training-result")]
[JsonDerivedType(typeof(JobCompleted), "completed")]
[JsonDerivedType(typeof(JobFailed), "failed")]
[JsonDerivedType(typeof(JobCancelled), "cancelled")]
/// <remarks>Overrides of the computed members repeat [JsonIgnore]: the attribute is not inherited.</remarks>
public abstract record JobEventBody
{
    /// <summary>True when this body ends the job.</summary>
    [JsonIgnore]
    public virtual bool IsTerminal => false;

    /// <summary>
    /// Identifies the step the event reports, so a worker repeating that step (after a redelivery) publishes
    /// it again harmlessly: the queue stores the first event with a given key and drops later ones.
    /// </summary>
    [JsonIgnore]
    public abstract string DedupKey { get; }
}

/// <summary>Published by the queue when the job is enqueued.</summary>
/// <param name="QueuePosition">Jobs ahead of this one in claim order when it was accepted (0: next).</param>
public sealed record JobAccepted(int QueuePosition) : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => "accepted";
}

/// <summary>A denoising step finished.</summary>
/// <param name="Step">Steps done, 1 to <paramref name="TotalSteps"/>.</param>
/// <param name="TotalSteps">Steps in the run.</param>
/// <param name="PreviewPng">A low-resolution preview of the current latent; null when not sent.</param>
public sealed record JobProgress(int Step, int TotalSteps, byte[]? PreviewPng) : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => $"progress:{Step}";
}

/// <summary>One finished image.</summary>
/// <param name="Index">The sample's <see cref="SampleSpec.ImageIndex"/>.</param>
/// <param name="Png">The PNG file, with its parameters and genart metadata chunks.</param>
/// <param name="Seed">The seed it was made from.</param>
/// <param name="MetadataJson">The genart JSON that reproduces it (also inside the PNG).</param>
public sealed record JobImage(int Index, byte[] Png, long Seed, string MetadataJson) : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => $"image:{Index}";
}

/// <summary>A fine-tune's optimizer step finished.</summary>
/// <param name="Step">Steps done, 1 to <paramref name="TotalSteps"/>.</param>
/// <param name="TotalSteps">Steps in the run.</param>
/// <param name="Loss">The step's training loss (noise-prediction mean squared error).</param>
/// <param name="PreviewPng">A render with the weights of this step; null when none was made.</param>
public sealed record TrainingStep(long Step, long TotalSteps, double Loss, byte[]? PreviewPng) : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => $"train:{Step}";
}

/// <summary>One preview pair: the same seed and prompt rendered without and with the new adapter.</summary>
public sealed record TrainingPreview(long Seed, string Prompt, byte[] BasePng, byte[] AdaptedPng);

/// <summary>A fine-tune's adapter was stored and registered to the job's tenant (the job completes next).</summary>
/// <param name="AdapterName">The name to use in generation requests.</param>
/// <param name="Sha256">Content address of the adapter file.</param>
/// <param name="FinalLoss">Loss of the last step.</param>
/// <param name="Previews">Renders without and with the adapter, one pair per preview sample of the job.</param>
public sealed record TrainingResult(string AdapterName, string Sha256, double FinalLoss, IReadOnlyList<TrainingPreview> Previews)
    : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => "training-result";
}

/// <summary>Every image was published; terminal.</summary>
public sealed record JobCompleted : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => "terminal";
}

/// <summary>The job failed; terminal.</summary>
public sealed record JobFailed(JobErrorCode Code, string Message) : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => "terminal";
}

/// <summary>The job was cancelled; terminal.</summary>
public sealed record JobCancelled : JobEventBody
{
    /// <inheritdoc />
    [JsonIgnore]
    public override bool IsTerminal => true;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DedupKey => "terminal";
}
