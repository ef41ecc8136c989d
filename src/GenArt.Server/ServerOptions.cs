namespace GenArt.Server;

/// <summary>Limits and timings of the front end.</summary>
public sealed record ServerOptions
{
    /// <summary>Holds the keys file, the adapter files under <c>adapters/</c> and the fine-tunes' training sets under
    /// <c>finetunes/</c>.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>Largest adapter file an upload may carry; a bigger one is refused with RESOURCE_EXHAUSTED.</summary>
    public long MaxAdapterBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Largest total of image bytes one FineTunes.Submit may carry; a bigger upload is refused with INVALID_ARGUMENT
    /// as soon as the image that passes it arrives.
    /// </summary>
    public long MaxFineTuneBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Largest width x height of a training image, read from its header before any pixel is decoded.</summary>
    public long MaxTrainingImagePixels { get; init; } = 40_000_000;

    /// <summary>Most adapters one Generate request may name.</summary>
    public int MaxAdaptersPerRequest { get; init; } = 8;

    /// <summary>Largest magnitude of an adapter's scale in a Generate request.</summary>
    public double MaxAdapterScale { get; init; } = 4;

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
        if (MaxAdapterBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxAdapterBytes), MaxAdapterBytes, "must be at least 1");
        if (MaxFineTuneBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxFineTuneBytes), MaxFineTuneBytes, "must be at least 1");
        if (MaxTrainingImagePixels < 1) throw new ArgumentOutOfRangeException(nameof(MaxTrainingImagePixels), MaxTrainingImagePixels, "must be at least 1");
        if (MaxAdaptersPerRequest < 0) throw new ArgumentOutOfRangeException(nameof(MaxAdaptersPerRequest), MaxAdaptersPerRequest, "must be 0 or more");
        if (!(MaxAdapterScale > 0) || !double.IsFinite(MaxAdapterScale)) throw new ArgumentOutOfRangeException(nameof(MaxAdapterScale), MaxAdapterScale, "must be finite and above 0");
        if (AbandonGrace < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(AbandonGrace), AbandonGrace, "must be 0 or more");
        return this;
    }
}
