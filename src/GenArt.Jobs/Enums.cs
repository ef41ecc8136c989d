using System.Text.Json.Serialization;

namespace GenArt.Jobs;

/// <summary>Claim order: every queued interactive entry is handed out before any batch entry.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobPriority>))]
public enum JobPriority
{
    /// <summary>A person is waiting (creative-tool plugin, CLI).</summary>
    Interactive = 0,

    /// <summary>Rendering scripts and bulk jobs.</summary>
    Batch = 1,
}

/// <summary>
/// What an entry asks a worker to do. Each kind travels on its own stream and is claimed separately,
/// so a fine-tune worker never receives a generation batch.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntryKind>))]
public enum EntryKind
{
    /// <summary>Image generation: <see cref="QueueEntry.Batch"/> holds the shared parameters.</summary>
    Generate = 0,

    /// <summary>LoRA fine-tune training: <see cref="QueueEntry.FineTune"/> holds the run; one job per entry.</summary>
    FineTune = 1,
}

/// <summary>How the first latent is made.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GenerationMode>))]
public enum GenerationMode
{
    /// <summary>From noise.</summary>
    TextToImage = 0,

    /// <summary>From <see cref="BatchSpec.InitImagePng"/>, noised to <see cref="BatchSpec.Strength"/>.</summary>
    ImageToImage = 1,
}

/// <summary>
/// Why a job or a queue operation failed. Each maps to one gRPC status of the same name at the front end.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobErrorCode>))]
public enum JobErrorCode
{
    /// <summary>The request breaks a rule; retrying it unchanged fails again.</summary>
    InvalidArgument = 0,

    /// <summary>Unknown job, or one that belongs to another tenant.</summary>
    NotFound = 1,

    /// <summary>Queue full, quota used up, or out of memory on the worker.</summary>
    ResourceExhausted = 2,

    /// <summary>The job's deadline passed before it finished.</summary>
    DeadlineExceeded = 3,

    /// <summary>The caller cancelled the job.</summary>
    Cancelled = 4,

    /// <summary>A dependency is down or shutting down (Redis, a worker); retrying later may succeed.</summary>
    Unavailable = 5,

    /// <summary>A fault in our own code or a model; the message is safe to show, details are in the logs.</summary>
    Internal = 6,
}
