using GenArt.Jobs.Internal;

namespace GenArt.Jobs;

/// <summary>
/// The embedded queue: the whole <see cref="IJobQueue"/> contract in memory, for the one-process mode and tests.
/// </summary>
/// <remarks>
/// One lock guards all state; every operation is short and never awaits inside it. Waiting (claims, watches)
/// is on signals swapped under the lock and timers from the injected <see cref="TimeProvider"/>, never polling.
/// Time-based work (lapsed leases, expired finished jobs) is done at the start of each operation, so memory
/// stays bounded by the live jobs plus those finished within <see cref="JobQueueOptions.FinishedJobTtl"/>.
/// Nothing survives the process: a restart loses queued jobs, which is the embedded mode's documented trade.
/// </remarks>
public sealed partial class InProcessJobQueue : IJobQueue
{
    private readonly Lock _gate = new();
    private readonly JobQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<EntryKind, KindQueue> _kinds = [];
    private readonly Dictionary<JobId, JobRecord> _jobs = [];
    private readonly Dictionary<(string Tenant, string Key), JobId> _idempotency = [];
    private readonly PriorityQueue<JobId, DateTimeOffset> _expiries = new();
    private readonly LinkedList<DeadLetter> _deadLetters = new();
    private readonly int[] _queuedJobs = new int[2];
    private long _nextEntrySequence;
    private bool _disposed;

    /// <summary>Creates an empty queue.</summary>
    /// <param name="options">Limits and timings; validated here.</param>
    /// <param name="time">The clock for leases, deadlines, TTLs and claim waits; the system clock when null.</param>
    public InProcessJobQueue(JobQueueOptions? options = null, TimeProvider? time = null)
    {
        _options = (options ?? new JobQueueOptions()).Validate();
        _time = time ?? TimeProvider.System;
        foreach (var kind in Enum.GetValues<EntryKind>())
            _kinds[kind] = new KindQueue();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
                return ValueTask.CompletedTask;
            _disposed = true;
            // Wake every waiter so it observes the disposal instead of hanging.
            foreach (var kind in _kinds.Values)
                kind.Wake();
            foreach (var job in _jobs.Values)
                job.Wake();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(QueueEntry entry, CancellationToken cancellationToken = default)
    {
        EntryValidator.Validate(entry);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            var results = new EnqueueResult[entry.Jobs.Count];
            var fresh = new List<JobSpec>();
            var keysInEntry = new Dictionary<(string, string), JobId>();

            // First pass decides everything and may throw; nothing is changed until it has finished.
            for (var i = 0; i < entry.Jobs.Count; i++)
            {
                var spec = entry.Jobs[i];
                if (spec.IdempotencyKey is { } key)
                {
                    var scoped = (spec.Tenant, key);
                    if (_idempotency.TryGetValue(scoped, out var existing) || keysInEntry.TryGetValue(scoped, out existing))
                    {
                        results[i] = new EnqueueResult(existing, false, null);
                        continue;
                    }
                    keysInEntry[scoped] = spec.Id;
                }
                if (_jobs.ContainsKey(spec.Id))
                    throw Errors.Invalid($"Jobs[{i}].Id", $"{spec.Id} already names another job");
                if (spec.Deadline is { } deadline && deadline <= now)
                    throw Errors.DeadlinePassed($"Jobs[{i}].Deadline", deadline);
                fresh.Add(spec);
            }
            if (fresh.Count == 0)
                return Task.FromResult<IReadOnlyList<EnqueueResult>>(results);

            if (fresh.Count > _options.MaxQueuedJobs)
                throw Errors.Invalid("Jobs", $"holds {fresh.Count} new jobs, more than the queue's capacity of {_options.MaxQueuedJobs}");
            var queued = _queuedJobs[0] + _queuedJobs[1];
            if (queued + fresh.Count > _options.MaxQueuedJobs)
                throw Errors.QueueFull(queued, _options);

            var record = new EntryRecord(++_nextEntrySequence, entry with { Jobs = fresh });
            // Interactive jobs wait only behind interactive ones; batch jobs behind everything queued.
            var ahead = entry.Priority == JobPriority.Interactive ? _queuedJobs[0] : queued;
            var position = 0;
            for (var i = 0; i < entry.Jobs.Count; i++)
            {
                if (results[i] is not null)
                    continue;
                var spec = entry.Jobs[i];
                var job = new JobRecord(spec, record);
                record.Jobs.Add(job);
                _jobs.Add(spec.Id, job);
                if (spec.IdempotencyKey is { } key)
                    _idempotency[(spec.Tenant, key)] = spec.Id;
                _queuedJobs[(int)spec.Priority]++;
                var jobPosition = ahead + position++;
                job.Append(new JobAccepted(jobPosition), now);
                results[i] = new EnqueueResult(spec.Id, true, jobPosition);
            }
            _kinds[entry.Kind].AddReady(record);
            return Task.FromResult<IReadOnlyList<EnqueueResult>>(results);
        }
    }

    /// <summary>Live job records, idempotency keys and pending expiries: what must shrink back as jobs expire.</summary>
    internal (int Jobs, int IdempotencyKeys, int Expiries) Footprint
    {
        get
        {
            lock (_gate)
                return (_jobs.Count, _idempotency.Count, _expiries.Count);
        }
    }

    /// <summary>Called first under the lock by every operation: checks disposal and does time-based work.</summary>
    private DateTimeOffset Begin()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = _time.GetUtcNow();
        Sweep(now);
        return now;
    }
}
