using System.Globalization;

namespace GenArt.Jobs.Internal;

/// <summary>The in-process queue's state for one entry; guarded by the queue's lock.</summary>
internal sealed class EntryRecord(long sequence, QueueEntry entry)
{
    /// <summary>Enqueue order; ready entries are claimed in this order within their priority.</summary>
    public long Sequence { get; } = sequence;

    public string Id { get; } = sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>The entry as stored: only the jobs that were new at enqueue.</summary>
    public QueueEntry Entry { get; } = entry;

    public List<JobRecord> Jobs { get; } = [];
    public int DeliveryCount { get; set; }

    /// <summary>The consumer holding it, or null while it waits to be claimed.</summary>
    public string? Holder { get; set; }

    public DateTimeOffset LeaseExpiresAt { get; set; }

    /// <summary>Deliveries given back with a release (worker shutdown); they do not count towards dead-lettering.</summary>
    public int ReleasedDeliveries { get; set; }

    /// <summary>Deliveries that ended in failure or a lapse, or are in progress.</summary>
    public int CountedDeliveries => DeliveryCount - ReleasedDeliveries;

    public bool IsHeldBy(Claim claim) =>
        Holder is not null && Holder == claim.ConsumerId && DeliveryCount == claim.DeliveryCount;

    public bool AllJobsFinished => Jobs.TrueForAll(j => j.State.IsTerminal());
}
