namespace GenArt.Jobs;

/// <summary>Limits and timings of a queue. <see cref="Validate"/> names the first bad setting.</summary>
public sealed record JobQueueOptions
{
    /// <summary>Most jobs that may wait unclaimed; an enqueue that would pass it is refused whole.</summary>
    public int MaxQueuedJobs { get; init; } = 10_000;

    /// <summary>A claim not heartbeated for this long is lost, and its entry may be claimed by another worker.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries an entry gets; when the last one fails or times out, the entry is dead-lettered.</summary>
    public int MaxDeliveries { get; init; } = 3;

    /// <summary>How long a finished job's status, events and idempotency key are kept.</summary>
    public TimeSpan FinishedJobTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Most entries kept on the dead-letter list; the oldest are dropped first.</summary>
    public int MaxDeadLetters { get; init; } = 1_000;

    /// <summary>Retry-after hint sent with a <see cref="QueueFullException"/>.</summary>
    public TimeSpan QueueFullRetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public JobQueueOptions Validate()
    {
        Require(MaxQueuedJobs >= 1, nameof(MaxQueuedJobs), MaxQueuedJobs, "at least 1");
        Require(VisibilityTimeout > TimeSpan.Zero, nameof(VisibilityTimeout), VisibilityTimeout, "positive");
        Require(MaxDeliveries >= 1, nameof(MaxDeliveries), MaxDeliveries, "at least 1");
        Require(FinishedJobTtl > TimeSpan.Zero, nameof(FinishedJobTtl), FinishedJobTtl, "positive");
        Require(MaxDeadLetters >= 1, nameof(MaxDeadLetters), MaxDeadLetters, "at least 1");
        Require(QueueFullRetryAfter > TimeSpan.Zero, nameof(QueueFullRetryAfter), QueueFullRetryAfter, "positive");
        return this;
    }

    private static void Require(bool ok, string name, object value, string rule)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value, $"JobQueueOptions.{name} must be {rule}.");
    }
}
