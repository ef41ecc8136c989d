namespace GenArt.Jobs;

/// <summary>The outcome of enqueueing one job of an entry.</summary>
/// <param name="JobId">The job's id: the one in its spec when new, the earlier job's id for a repeat.</param>
/// <param name="IsNew">False when the tenant's idempotency key already named a job, which is returned instead.</param>
/// <param name="QueuePosition">Jobs ahead of it in claim order when accepted (0: next); null for a repeat.</param>
public sealed record EnqueueResult(JobId JobId, bool IsNew, int? QueuePosition);

/// <summary>One delivery of an entry to a worker; pass it back to heartbeat, acknowledge or give up the entry.</summary>
/// <param name="EntryId">The entry's id on its stream.</param>
/// <param name="Kind">The stream it came from.</param>
/// <param name="ConsumerId">The worker holding it.</param>
/// <param name="DeliveryCount">1 for the first delivery, +1 for each redelivery; identifies this delivery.</param>
/// <param name="Entry">
/// The entry with only the jobs still unfinished at claim time: jobs cancelled or past their deadline while
/// queued are left out (and already finished), so the worker runs exactly what is listed.
/// </param>
public sealed record Claim(string EntryId, EntryKind Kind, string ConsumerId, int DeliveryCount, QueueEntry Entry);

/// <summary>What <see cref="IJobQueue.PublishAsync"/> did with an event.</summary>
public enum PublishOutcome
{
    /// <summary>Stored with a new sequence number.</summary>
    Stored = 0,

    /// <summary>An event with the same dedup key was stored before; its sequence number is returned.</summary>
    Duplicate = 1,

    /// <summary>The job had already ended (completed, failed, cancelled, dead-lettered); nothing was stored.</summary>
    JobFinished = 2,
}

/// <summary>The outcome of a publish and the sequence number of the stored event (0 when none).</summary>
public sealed record PublishResult(PublishOutcome Outcome, long Sequence);

/// <summary>Queue occupancy, for admission and metrics.</summary>
/// <param name="InteractiveJobs">Queued interactive jobs (unclaimed, unfinished).</param>
/// <param name="BatchJobs">Queued batch jobs (unclaimed, unfinished).</param>
/// <param name="ClaimedEntries">Entries held by workers.</param>
/// <param name="DeadLetters">Entries on the dead-letter list.</param>
public sealed record QueueDepth(int InteractiveJobs, int BatchJobs, int ClaimedEntries, int DeadLetters)
{
    /// <summary>All queued jobs; the figure the capacity applies to.</summary>
    public int QueuedJobs => InteractiveJobs + BatchJobs;
}

/// <summary>An entry that was delivered <see cref="JobQueueOptions.MaxDeliveries"/> times without being acknowledged.</summary>
/// <param name="EntryId">The entry's id.</param>
/// <param name="Entry">The entry as enqueued.</param>
/// <param name="DeliveryCount">Deliveries made.</param>
/// <param name="LastError">The error of the last delivery.</param>
/// <param name="DeadLetteredAt">When it was moved.</param>
public sealed record DeadLetter(
    string EntryId,
    QueueEntry Entry,
    int DeliveryCount,
    JobError LastError,
    DateTimeOffset DeadLetteredAt);
