namespace GenArt.Jobs;

/// <summary>A queue operation failed for a reason the front end reports as <see cref="Code"/>.</summary>
public class JobQueueException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobQueueException(JobErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>The status to report.</summary>
    public JobErrorCode Code { get; }
}

/// <summary>The queue holds its maximum of jobs; nothing of the entry was enqueued.</summary>
public sealed class QueueFullException(int queuedJobs, int maxQueuedJobs, TimeSpan retryAfter)
    : JobQueueException(JobErrorCode.ResourceExhausted,
        $"The queue is full ({queuedJobs} of {maxQueuedJobs} jobs queued); retry after {retryAfter.TotalSeconds:0.#} s.")
{
    /// <summary>When a retry is likely to be admitted.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// No such job for this caller: unknown, expired, or another tenant's (deliberately indistinguishable).
/// </summary>
public sealed class JobNotFoundException(JobId jobId)
    : JobQueueException(JobErrorCode.NotFound, $"Job {jobId} was not found.")
{
    /// <summary>The id asked for.</summary>
    public JobId JobId { get; } = jobId;
}

/// <summary>An entry or argument breaks a rule; <see cref="Field"/> names where (e.g. <c>Jobs[1].Samples[0].Seed</c>).</summary>
public sealed class JobValidationException(string field, string rule)
    : JobQueueException(JobErrorCode.InvalidArgument, $"{field}: {rule}")
{
    /// <summary>Path of the offending field.</summary>
    public string Field { get; } = field;

    /// <summary>The rule it breaks.</summary>
    public string Rule { get; } = rule;
}
