using GenArt.Jobs;

namespace GenArt.Server.Admission;

/// <summary>
/// Groups concurrent requests with the same batch key into one queue entry: the first request of a key opens a
/// batch that is enqueued when the coalescing window ends or the batch is full, whichever comes first, so a
/// worker runs them as one denoising batch (one UNet call per step for all).
/// </summary>
/// <remarks>
/// <para>
/// The window only holds requests while there is work ahead of them. When a batch opens on an idle queue (nothing
/// queued, nothing claimed) it is enqueued at once, together with whatever joined while the queue was asked, so a
/// lone request never waits for the window; requests arriving while that batch runs coalesce as usual.
/// </para>
/// <para>
/// Image-to-image requests are never coalesced: their init images differ per request and a batch shares one.
/// If the queue refuses a coalesced entry as a whole (full, or larger than its cap), each job is offered again
/// alone, so one caller's refusal never becomes its neighbours'.
/// </para>
/// </remarks>
public sealed class BatchCoalescer(IJobQueue queue, ServerOptions options, ServerMetrics metrics, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<(BatchSpec Spec, JobPriority Priority), Pending> _open = [];

    private sealed class Pending(BatchSpec spec, JobPriority priority)
    {
        public BatchSpec Spec { get; } = spec;
        public JobPriority Priority { get; } = priority;
        public List<(JobSpec Job, TaskCompletionSource<EnqueueResult> Done)> Jobs { get; } = [];
        public int Samples { get; set; }
        public ITimer? Timer { get; set; }
    }

    /// <summary>Enqueues <paramref name="job"/> with the next batch of its key; completes once it is in the queue.</summary>
    /// <exception cref="JobQueueException">The queue refused it (full, deadline passed, ...).</exception>
    public Task<EnqueueResult> SubmitAsync(BatchSpec spec, JobPriority priority, JobSpec job)
    {
        var done = new TaskCompletionSource<EnqueueResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (spec.InitImagePng is not null || options.CoalesceWindow == TimeSpan.Zero)
        {
            _ = FlushAsync(new Pending(spec, priority) { Jobs = { (job, done) }, Samples = job.Samples.Count });
            return done.Task;
        }
        var ready = new List<Pending>(2);
        Pending? opened = null;
        lock (_gate)
        {
            var key = (spec, priority);
            if (_open.TryGetValue(key, out var pending) && pending.Samples + job.Samples.Count > options.MaxBatchSamples)
            {
                ready.Add(Close(key, pending)); // no room: enqueue what is there now and open a new batch
                pending = null;
            }
            if (pending is null)
            {
                var created = new Pending(spec, priority);
                _open[key] = created;
                created.Timer = _time.CreateTimer(_ => OnWindowEnd(key, created), null, options.CoalesceWindow, Timeout.InfiniteTimeSpan);
                pending = opened = created;
            }
            pending.Jobs.Add((job, done));
            pending.Samples += job.Samples.Count;
            if (pending.Samples >= options.MaxBatchSamples) ready.Add(Close(key, pending));
        }
        // Enqueued outside the lock: a Redis round trip must not hold up other callers' admission.
        foreach (var batch in ready) _ = FlushAsync(batch);
        if (opened is not null && !ready.Contains(opened)) _ = FlushIfIdleAsync((spec, priority), opened);
        return done.Task;
    }

    private async Task FlushIfIdleAsync((BatchSpec, JobPriority) key, Pending pending)
    {
        try
        {
            var depth = await queue.QueueDepthAsync().ConfigureAwait(false);
            if (depth.QueuedJobs > 0 || depth.ClaimedEntries > 0) return; // work ahead: let the window gather more
        }
        catch (JobQueueException)
        {
            return; // the window's flush reports the queue's failure to each caller
        }
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var current) || current != pending) return;
            Close(key, pending);
        }
        await FlushAsync(pending).ConfigureAwait(false);
    }

    private void OnWindowEnd((BatchSpec, JobPriority) key, Pending pending)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var current) || current != pending) return; // flushed when it filled up
            Close(key, pending);
        }
        _ = FlushAsync(pending);
    }

    private Pending Close((BatchSpec, JobPriority) key, Pending pending)
    {
        _open.Remove(key);
        pending.Timer?.Dispose();
        return pending;
    }

    private async Task FlushAsync(Pending pending)
    {
        // A job whose deadline passed while it waited fails alone: the queue would refuse the whole entry for it.
        var now = _time.GetUtcNow();
        var live = new List<(JobSpec Job, TaskCompletionSource<EnqueueResult> Done)>();
        foreach (var item in pending.Jobs)
        {
            if (item.Job.Deadline is { } d && d <= now)
                item.Done.TrySetException(new JobQueueException(JobErrorCode.DeadlineExceeded, "the deadline passed before the job was queued"));
            else
                live.Add(item);
        }
        if (live.Count == 0) return;
        try
        {
            await EnqueueAsync(pending, live).ConfigureAwait(false);
        }
        catch (Exception e) when (live.Count > 1 && e is QueueFullException or JobValidationException)
        {
            foreach (var item in live)
            {
                try
                {
                    await EnqueueAsync(pending, [item]).ConfigureAwait(false);
                }
                catch (Exception inner)
                {
                    item.Done.TrySetException(inner);
                }
            }
        }
        catch (Exception e)
        {
            foreach (var item in live) item.Done.TrySetException(e);
        }
    }

    private async Task EnqueueAsync(Pending pending, List<(JobSpec Job, TaskCompletionSource<EnqueueResult> Done)> items)
    {
        var entry = new QueueEntry(EntryKind.Generate, pending.Priority, pending.Spec, items.Select(i => i.Job).ToList());
        var results = await queue.EnqueueAsync(entry).ConfigureAwait(false);
        metrics.BatchEnqueued(entry.SampleCount);
        for (int i = 0; i < items.Count; i++) items[i].Done.TrySetResult(results[i]);
    }
}
