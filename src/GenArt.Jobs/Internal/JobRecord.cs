namespace GenArt.Jobs.Internal;

/// <summary>The in-process queue's state for one job; guarded by the queue's lock.</summary>
internal sealed class JobRecord(JobSpec spec, EntryRecord entry)
{
    private readonly List<JobEvent> _events = [];
    private readonly Dictionary<string, long> _sequenceByDedupKey = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    public JobSpec Spec { get; } = spec;
    public EntryRecord Entry { get; } = entry;
    public JobState State { get; set; } = JobState.Queued;

    /// <summary>Deliveries of its entry while the job was unfinished.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Worker { get; set; }
    public JobError? LastError { get; set; }
    public int ImagesReady { get; set; }
    public long LastSequence => _events.Count == 0 ? 0 : _events[^1].Sequence;

    /// <summary>Completes when the next event is appended; watchers take it under the lock, then await it.</summary>
    public Task Changed => _changed.Task;

    public bool TryGetSequence(string dedupKey, out long sequence) =>
        _sequenceByDedupKey.TryGetValue(dedupKey, out sequence);

    public JobEvent Append(JobEventBody body, DateTimeOffset now)
    {
        var e = new JobEvent(Spec.Id, LastSequence + 1, now, body);
        _events.Add(e);
        _sequenceByDedupKey[body.DedupKey] = e.Sequence;
        Wake();
        return e;
    }

    /// <summary>Events with a sequence number above <paramref name="afterSequence"/>.</summary>
    public JobEvent[] EventsAfter(long afterSequence)
    {
        // Sequence n sits at index n - 1.
        var start = (int)Math.Clamp(afterSequence, 0, _events.Count);
        return _events.GetRange(start, _events.Count - start).ToArray();
    }

    public void Wake()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    public JobInfo ToInfo() => new(
        Spec.Id, Spec.Tenant, State, Spec.Priority, Entry.Id, Attempts, Spec.CreatedAt, StartedAt,
        FinishedAt, Worker, LastError, Spec.Samples.Count, ImagesReady, LastSequence, Entry.Entry.Kind);

    // Continuations run on the thread pool, never inline under the queue's lock.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
