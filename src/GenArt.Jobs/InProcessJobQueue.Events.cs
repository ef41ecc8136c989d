using System.Runtime.CompilerServices;
using GenArt.Jobs.Internal;

namespace GenArt.Jobs;

public sealed partial class InProcessJobQueue
{
    /// <inheritdoc />
    public Task<PublishResult> PublishAsync(JobId jobId, JobEventBody body, CancellationToken cancellationToken = default)
    {
        EventValidator.Validate(body);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            var job = _jobs.GetValueOrDefault(jobId) ?? throw Errors.NotFound(jobId);
            return Task.FromResult(Publish(job, body, now));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PublishResult>> PublishAllAsync(IReadOnlyList<(JobId JobId, JobEventBody Body)> events,
        CancellationToken cancellationToken = default)
    {
        EventValidator.Validate(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            var jobs = events.Select(e => _jobs.GetValueOrDefault(e.JobId) ?? throw Errors.NotFound(e.JobId)).ToArray();
            var results = new PublishResult[events.Count];
            for (var i = 0; i < results.Length; i++)
                results[i] = Publish(jobs[i], events[i].Body, now);
            return Task.FromResult<IReadOnlyList<PublishResult>>(results);
        }
    }

    private PublishResult Publish(JobRecord job, JobEventBody body, DateTimeOffset now)
    {
        if (job.TryGetSequence(body.DedupKey, out var earlier))
            return new PublishResult(PublishOutcome.Duplicate, earlier);
        if (job.State.IsTerminal())
            return new PublishResult(PublishOutcome.JobFinished, 0);

        JobEvent stored;
        switch (body)
        {
            case JobCompleted:
                stored = Finish(job, JobState.Succeeded, null, now, body);
                break;
            case JobFailed failed:
                stored = Finish(job, JobState.Failed, new JobError(failed.Code, failed.Message), now, body);
                break;
            case JobCancelled:
                stored = Finish(job, JobState.Cancelled, null, now, body);
                break;
            default:
                // A late event from a worker whose delivery was given back still shows the job at work.
                if (job.State == JobState.Queued)
                    SetState(job, JobState.Running);
                if (body is JobImage)
                    job.ImagesReady++;
                stored = job.Append(body, now);
                break;
        }
        return new PublishResult(PublishOutcome.Stored, stored.Sequence);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobEvent> WatchAsync(
        JobId jobId,
        long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (afterSequence < 0)
            throw Errors.Invalid("afterSequence", $"must not be negative, not {afterSequence}");
        var last = afterSequence;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            JobEvent[] events;
            bool ended;
            Task changed;
            lock (_gate)
            {
                Begin();
                var job = _jobs.GetValueOrDefault(jobId) ?? throw Errors.NotFound(jobId);
                events = job.EventsAfter(last);
                ended = job.State.IsTerminal();
                changed = job.Changed;
            }

            foreach (var e in events)
            {
                yield return e;
                last = e.Sequence;
                if (e.Body.IsTerminal)
                    yield break;
            }
            // A reattach after the terminal event has nothing more to follow.
            if (ended && events.Length == 0)
                yield break;
            if (events.Length == 0)
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<JobInfo?> GetJobAsync(JobId jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Begin();
            return Task.FromResult(_jobs.GetValueOrDefault(jobId)?.ToInfo());
        }
    }

    /// <inheritdoc />
    public Task<JobState> CancelAsync(JobId jobId, string tenant, CancellationToken cancellationToken = default)
    {
        EntryValidator.ValidateTenant(tenant);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            // Another tenant's job looks exactly like a missing one.
            if (_jobs.GetValueOrDefault(jobId) is not { } job || !string.Equals(job.Spec.Tenant, tenant, StringComparison.Ordinal))
                throw Errors.NotFound(jobId);
            if (!job.State.IsTerminal())
                Finish(job, JobState.Cancelled, null, now);
            return Task.FromResult(job.State);
        }
    }

    /// <inheritdoc />
    public Task<bool> IsCancelledAsync(JobId jobId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Begin();
            return Task.FromResult(_jobs.GetValueOrDefault(jobId) is not { } job || job.State.IsTerminal());
        }
    }
}
