namespace GenArt.Jobs.Internal;

/// <summary>Ready entries and leases of one <see cref="EntryKind"/>; guarded by the queue's lock.</summary>
internal sealed class KindQueue
{
    private readonly SortedDictionary<long, EntryRecord>[] _ready = [new(), new()];
    private readonly SortedSet<(DateTimeOffset ExpiresAt, long Sequence)> _leases = [];
    private readonly Dictionary<long, EntryRecord> _held = [];
    private TaskCompletionSource _changed = NewSignal();

    public int HeldCount => _held.Count;

    /// <summary>Completes when claimers should look again: an entry became ready or a new lease started.</summary>
    public Task Changed => _changed.Task;

    public void AddReady(EntryRecord entry)
    {
        // Keyed by enqueue order, so a lapsed entry goes back ahead of everything enqueued after it.
        _ready[(int)entry.Entry.Priority].Add(entry.Sequence, entry);
        Wake();
    }

    public bool RemoveReady(EntryRecord entry) => _ready[(int)entry.Entry.Priority].Remove(entry.Sequence);

    /// <summary>Removes and returns the first ready entry, interactive before batch.</summary>
    public EntryRecord? TakeNext()
    {
        foreach (var ready in _ready)
        {
            if (ready.Count == 0)
                continue;
            var first = ready.First().Value;
            ready.Remove(first.Sequence);
            return first;
        }
        return null;
    }

    /// <summary>Starts or extends a lease. A new lease wakes claimers so they plan to wake when it lapses.</summary>
    public void Hold(EntryRecord entry, DateTimeOffset expiresAt)
    {
        var extending = _held.ContainsKey(entry.Sequence);
        Release(entry);
        entry.LeaseExpiresAt = expiresAt;
        _leases.Add((expiresAt, entry.Sequence));
        _held[entry.Sequence] = entry;
        // An extension only moves a lapse later: claimers that wake early simply plan again.
        if (!extending)
            Wake();
    }

    public void Release(EntryRecord entry)
    {
        if (_held.Remove(entry.Sequence))
            _leases.Remove((entry.LeaseExpiresAt, entry.Sequence));
    }

    public EntryRecord? FindHeld(long sequence) => _held.GetValueOrDefault(sequence);

    /// <summary>The held entry whose lease lapsed first, if any lapsed by <paramref name="now"/>.</summary>
    public EntryRecord? TakeLapsed(DateTimeOffset now)
    {
        if (_leases.Count == 0 || _leases.Min.ExpiresAt > now)
            return null;
        var entry = _held[_leases.Min.Sequence];
        Release(entry);
        return entry;
    }

    /// <summary>When the earliest lease lapses; null when none is held.</summary>
    public DateTimeOffset? NextLapse => _leases.Count == 0 ? null : _leases.Min.ExpiresAt;

    public void Wake()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
