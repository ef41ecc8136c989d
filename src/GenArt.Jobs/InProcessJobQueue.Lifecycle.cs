using GenArt.Jobs.Internal;

namespace GenArt.Jobs;

public sealed partial class InProcessJobQueue
{
    /// <inheritdoc />
    public Task<QueueDepth> QueueDepthAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Begin();
            var held = _kinds.Values.Sum(k => k.HeldCount);
            return Task.FromResult(new QueueDepth(_queuedJobs[0], _queuedJobs[1], held, _deadLetters.Count));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit < 0)
            throw Errors.Invalid("limit", $"must not be negative, not {limit}");
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Begin();
            return Task.FromResult<IReadOnlyList<DeadLetter>>(_deadLetters.Take(limit).ToList());
        }
    }

    /// <summary>Moves a job to a non-terminal state, keeping the queued-job counts in step.</summary>
    private void SetState(JobRecord job, JobState state)
    {
        if (job.State == state)
            return;
        if (!job.State.CanTransitionTo(state))
            throw new InvalidOperationException($"Job {job.Spec.Id} cannot go from {job.State} to {state}.");
        var priority = (int)job.Spec.Priority;
        if (job.State == JobState.Queued)
            _queuedJobs[priority]--;
        if (state == JobState.Queued)
            _queuedJobs[priority]++;
        job.State = state;
    }

    /// <summary>
    /// Ends a job: its terminal event (<paramref name="body"/>, or the one matching the state), its finish time,
    /// and its expiry. An unclaimed entry whose jobs have all ended leaves the queue at once.
    /// </summary>
    private JobEvent Finish(JobRecord job, JobState state, JobError? error, DateTimeOffset now, JobEventBody? body = null)
    {
        SetState(job, state);
        job.FinishedAt = now;
        if (error is not null)
            job.LastError = error;
        body ??= state switch
        {
            JobState.Succeeded => new JobCompleted(),
            JobState.Cancelled => new JobCancelled(),
            _ => new JobFailed(error!.Code, error.Message),
        };
        var stored = job.Append(body, now);
        _expiries.Enqueue(job.Spec.Id, now + _options.FinishedJobTtl);

        var entry = job.Entry;
        if (entry.Holder is null && entry.AllJobsFinished)
            _kinds[entry.Entry.Kind].RemoveReady(entry);
        return stored;
    }

    /// <summary>Time-based work: lapsed leases, then finished jobs past their TTL. Returns the leases processed.</summary>
    private int Sweep(DateTimeOffset now)
    {
        var lapsed = 0;
        foreach (var queue in _kinds.Values)
        {
            while (queue.TakeLapsed(now) is { } entry)
            {
                EndDelivery(entry, Errors.LeaseLapsed, now);
                lapsed++;
            }
        }

        while (_expiries.TryPeek(out var id, out var expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            if (!_jobs.Remove(id, out var job))
                continue;
            if (job.Spec.IdempotencyKey is { } key)
                _idempotency.Remove((job.Spec.Tenant, key));
        }
        return lapsed;
    }
}
