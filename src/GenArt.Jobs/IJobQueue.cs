namespace GenArt.Jobs;

/// <summary>
/// The job queue between front ends and workers: batches of jobs go in, workers claim them at least once,
/// and each job's events are stored with sequence numbers for callers to follow and reattach to.
/// </summary>
/// <remarks>
/// Delivery is at-least-once: a worker that stops heartbeating loses its claim after
/// <see cref="JobQueueOptions.VisibilityTimeout"/> and the entry goes to another worker, so every worker step
/// must be safe to repeat. Events are deduplicated by <see cref="JobEventBody.DedupKey"/> and a job's first
/// terminal event wins, which makes a repeated step harmless to the caller. docs/queue.md has the full rules
/// and the Redis layout.
/// </remarks>
public interface IJobQueue : IAsyncDisposable
{
    /// <summary>
    /// Validates and enqueues an entry. Per job, in order: a job whose tenant already used its idempotency key
    /// is a repeat (that job's id, <see cref="EnqueueResult.IsNew"/> false) and is left out of the stored entry;
    /// the others are new and get a <see cref="JobAccepted"/> event. If every job is a repeat, nothing is stored.
    /// </summary>
    /// <exception cref="JobValidationException">
    /// A field breaks a rule, or the entry alone holds more new jobs than the cap; nothing is enqueued.
    /// </exception>
    /// <exception cref="QueueFullException">The new jobs would pass the cap; nothing is enqueued.</exception>
    /// <exception cref="JobQueueException">DeadlineExceeded when a new job's deadline has already passed.</exception>
    Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(QueueEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands the next entry of <paramref name="kind"/> to <paramref name="consumerId"/>: entries whose claim has
    /// lapsed first within their priority (oldest first), interactive before batch, waiting up to
    /// <paramref name="waitTimeout"/> for one to arrive. Returns null on timeout. The entry's unfinished jobs become
    /// Running; jobs that ended while queued are left out, and jobs past their deadline fail with DeadlineExceeded.
    /// Each claim is a delivery: <see cref="Claim.DeliveryCount"/> counts them.
    /// </summary>
    Task<Claim?> ClaimAsync(
        EntryKind kind,
        string consumerId,
        TimeSpan waitTimeout,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the claim's lease by the visibility timeout. False when the claim is lost (lapsed, given up, or
    /// acknowledged): the worker must stop working on the entry.
    /// </summary>
    Task<bool> HeartbeatAsync(Claim claim, CancellationToken cancellationToken = default);

    /// <summary>
    /// Finishes the entry. Any of its jobs without a terminal event fail with Internal (the worker forgot them),
    /// so no caller waits forever. False when the claim was already lost; nothing changes then.
    /// </summary>
    Task<bool> AckAsync(Claim claim, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives the entry back after a failure that a retry may fix: the error is recorded on its unfinished jobs,
    /// which return to Queued, and the entry is claimable at once; after the last allowed delivery
    /// (<see cref="JobQueueOptions.MaxDeliveries"/>, not counting released ones) it is
    /// dead-lettered instead and its unfinished jobs fail with <paramref name="error"/>.
    /// False when the claim was already lost.
    /// </summary>
    Task<bool> FailDeliveryAsync(Claim claim, JobError error, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives the entry back without counting the delivery as a failure, for a worker shutting down: its unfinished
    /// jobs return to Queued and the entry is claimable at once. False when the claim was already lost.
    /// </summary>
    Task<bool> ReleaseAsync(Claim claim, CancellationToken cancellationToken = default);

    /// <summary>
    /// Processes lapsed claims now (every operation also does): a claim lapses when not heartbeated within
    /// <see cref="JobQueueOptions.VisibilityTimeout"/>; its entry becomes claimable with the lapse recorded as
    /// Unavailable on its jobs, or is dead-lettered when it had its last delivery. Returns the entries processed.
    /// </summary>
    Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an event to a job's stream with the next sequence number and updates the job's state: a terminal
    /// body ends the job, any other body marks it Running. Repeated dedup keys and events after the end are
    /// dropped (see <see cref="PublishOutcome"/>). <see cref="JobAccepted"/> is the queue's own and is refused.
    /// </summary>
    /// <exception cref="JobNotFoundException">Unknown or expired job.</exception>
    Task<PublishResult> PublishAsync(JobId jobId, JobEventBody body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes several events in order, as the same number of <see cref="PublishAsync"/> calls would, in one call
    /// (one round trip to Redis): a worker sends a job's last image and its completion together. Results are in the
    /// order of <paramref name="events"/>.
    /// </summary>
    /// <exception cref="JobValidationException">An event breaks a rule (the field is prefixed with
    /// <c>events[i].</c>); nothing is stored.</exception>
    /// <exception cref="JobNotFoundException">An event names an unknown or expired job; nothing is stored.</exception>
    Task<IReadOnlyList<PublishResult>> PublishAllAsync(IReadOnlyList<(JobId JobId, JobEventBody Body)> events,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The job's events with sequence numbers above <paramref name="afterSequence"/>: first those stored, then
    /// new ones as they are published, ending after the terminal event. Pass the last sequence seen to reattach.
    /// </summary>
    /// <exception cref="JobNotFoundException">Unknown or expired job (raised on the first MoveNextAsync).</exception>
    IAsyncEnumerable<JobEvent> WatchAsync(JobId jobId, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>The job's status, or null when unknown or expired. The caller checks the tenant.</summary>
    Task<JobInfo?> GetJobAsync(JobId jobId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels the tenant's job: an unfinished job becomes Cancelled at once with a <see cref="JobCancelled"/>
    /// event (its worker learns of it through <see cref="IsCancelledAsync"/>). Returns the state after the call,
    /// which is the earlier terminal state for a job that had already ended.
    /// </summary>
    /// <exception cref="JobNotFoundException">Unknown, expired, or another tenant's job.</exception>
    Task<JobState> CancelAsync(JobId jobId, string tenant, CancellationToken cancellationToken = default);

    /// <summary>True when the job was cancelled, or is unknown or expired (nothing to work on either way).</summary>
    Task<bool> IsCancelledAsync(JobId jobId, CancellationToken cancellationToken = default);

    /// <summary>Current occupancy.</summary>
    Task<QueueDepth> QueueDepthAsync(CancellationToken cancellationToken = default);

    /// <summary>The most recent dead letters, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int limit, CancellationToken cancellationToken = default);
}
