namespace GenArt.Server;

/// <summary>Limits and timings of the front end.</summary>
public sealed record ServerOptions
{
    /// <summary>Where the keys file lives.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>How long a request waits for others with the same batch key before its batch is enqueued.</summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Most samples in one coalesced batch.</summary>
    public int MaxBatchSamples { get; init; } = 8;

    /// <summary>Longest prompt or negative prompt, in characters.</summary>
    public int MaxPromptLength { get; init; } = 2000;

    /// <summary>Most images one request may ask for.</summary>
    public int MaxImagesPerRequest { get; init; } = 8;

    /// <summary>
    /// When a Generate call ends before its job (the client cancelled or went away), the job is cancelled unless a
    /// WatchJob for it is open or opens within this time: long enough for a client to reconnect and reattach,
    /// short enough that an abandoned job does not hold the device for long. Zero cancels at once.
    /// </summary>
    public TimeSpan AbandonGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public ServerOptions Validate()
    {
        if (CoalesceWindow < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CoalesceWindow), CoalesceWindow, "must be 0 or more");
        if (MaxBatchSamples < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchSamples), MaxBatchSamples, "must be at least 1");
        if (MaxPromptLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxPromptLength), MaxPromptLength, "must be at least 1");
        if (MaxImagesPerRequest < 1) throw new ArgumentOutOfRangeException(nameof(MaxImagesPerRequest), MaxImagesPerRequest, "must be at least 1");
        if (AbandonGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AbandonGrace), AbandonGrace, "must be 0 or more");
        return this;
    }
}
