namespace GenArt.Jobs.Internal;

/// <summary>Every exception the queues raise is built here, so messages stay uniform across implementations.</summary>
internal static class Errors
{
    internal static JobValidationException Invalid(string field, string rule) => new(field, rule);

    internal static JobNotFoundException NotFound(JobId id) => new(id);

    internal static QueueFullException QueueFull(int queued, JobQueueOptions options) =>
        new(queued, options.MaxQueuedJobs, options.QueueFullRetryAfter);

    internal static JobQueueException DeadlinePassed(string field, DateTimeOffset deadline) =>
        new(JobErrorCode.DeadlineExceeded, $"{field}: the deadline {deadline:O} has already passed.");

    internal static JobValidationException AcceptedIsQueueOwned() =>
        new("body", "JobAccepted events are published by the queue itself");

    // The messages stored on jobs that end without a worker's own report.
    internal static readonly JobError LeaseLapsed =
        new(JobErrorCode.Unavailable, "The worker stopped heartbeating before finishing the job.");

    internal static readonly JobError AckedUnfinished =
        new(JobErrorCode.Internal, "The worker finished the batch without a result for this job.");

    internal static readonly JobError DeadlineExceeded =
        new(JobErrorCode.DeadlineExceeded, "The job's deadline passed before a worker started it.");
}
