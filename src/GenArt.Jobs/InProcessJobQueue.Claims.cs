using System.Globalization;
using GenArt.Jobs.Internal;

namespace GenArt.Jobs;

public sealed partial class InProcessJobQueue
{
    // Task.WaitAsync accepts at most about 49 days; a longer wait simply plans again when it ends.
    private static readonly TimeSpan LongestSingleWait = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public async Task<Claim?> ClaimAsync(
        EntryKind kind,
        string consumerId,
        TimeSpan waitTimeout,
        CancellationToken cancellationToken = default)
    {
        var giveUpAt = EntryValidator.ValidateClaim(kind, consumerId, waitTimeout, _time.GetUtcNow());
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task changed;
            DateTimeOffset wakeAt;
            lock (_gate)
            {
                var now = Begin();
                var queue = _kinds[kind];
                var claim = TryClaim(queue, kind, consumerId, now);
                if (claim is not null)
                    return claim;
                if (now >= giveUpAt)
                    return null;
                changed = queue.Changed;
                // Wake when a held lease lapses too: that entry becomes claimable without any signal.
                wakeAt = queue.NextLapse is { } lapse && lapse < giveUpAt ? lapse : giveUpAt;
            }

            var delay = wakeAt - _time.GetUtcNow();
            try
            {
                if (wakeAt == DateTimeOffset.MaxValue)
                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                else if (delay > TimeSpan.Zero)
                    await changed.WaitAsync(delay < LongestSingleWait ? delay : LongestSingleWait, _time, cancellationToken)
                        .ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The planned wake-up time came: look again.
            }
        }
    }

    private Claim? TryClaim(KindQueue queue, EntryKind kind, string consumerId, DateTimeOffset now)
    {
        while (queue.TakeNext() is { } entry)
        {
            entry.DeliveryCount++;
            foreach (var job in entry.Jobs)
            {
                if (!job.State.IsTerminal() && job.Spec.Deadline is { } deadline && deadline <= now)
                    Finish(job, JobState.Failed, Errors.DeadlineExceeded, now);
            }
            var active = entry.Jobs.FindAll(j => !j.State.IsTerminal());
            if (active.Count == 0)
            {
                // Every job ended while queued (cancelled, expired): nothing to deliver.
                continue;
            }

            entry.Holder = consumerId;
            queue.Hold(entry, now + _options.VisibilityTimeout);
            foreach (var job in active)
            {
                SetState(job, JobState.Running);
                job.Attempts = entry.DeliveryCount;
                job.Worker = consumerId;
                job.StartedAt ??= now;
            }
            var delivered = entry.Entry with { Jobs = active.ConvertAll(j => j.Spec) };
            return new Claim(entry.Id, kind, consumerId, entry.DeliveryCount, delivered);
        }
        return null;
    }

    /// <inheritdoc />
    public Task<bool> HeartbeatAsync(Claim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            if (FindHeld(claim) is not { } entry)
                return Task.FromResult(false);
            _kinds[claim.Kind].Hold(entry, now + _options.VisibilityTimeout);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> AckAsync(Claim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            if (FindHeld(claim) is not { } entry)
                return Task.FromResult(false);
            _kinds[claim.Kind].Release(entry);
            entry.Holder = null;
            foreach (var job in entry.Jobs)
            {
                if (!job.State.IsTerminal())
                    Finish(job, JobState.Failed, Errors.AckedUnfinished, now);
            }
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> FailDeliveryAsync(Claim claim, JobError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        EventValidator.Validate(error);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = Begin();
            if (FindHeld(claim) is not { } entry)
                return Task.FromResult(false);
            _kinds[claim.Kind].Release(entry);
            EndDelivery(entry, error, now);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(Claim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Begin();
            if (FindHeld(claim) is not { } entry)
                return Task.FromResult(false);
            _kinds[claim.Kind].Release(entry);
            entry.Holder = null;
            entry.ReleasedDeliveries++;
            var unfinished = entry.Jobs.FindAll(j => !j.State.IsTerminal());
            if (unfinished.Count == 0)
                return Task.FromResult(true);
            foreach (var job in unfinished)
                SetState(job, JobState.Queued);
            _kinds[entry.Entry.Kind].AddReady(entry);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Task.FromResult(Sweep(_time.GetUtcNow()));
        }
    }

    /// <summary>The entry if <paramref name="claim"/> is still its current delivery.</summary>
    private EntryRecord? FindHeld(Claim claim)
    {
        if (!_kinds.TryGetValue(claim.Kind, out var queue)
            || !long.TryParse(claim.EntryId, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            return null;
        return queue.FindHeld(sequence) is { } entry && entry.IsHeldBy(claim) ? entry : null;
    }

    /// <summary>
    /// A delivery ended without an ack: the entry goes back to the queue, or to the dead letters after its last
    /// allowed delivery, in which case its unfinished jobs fail with <paramref name="error"/>.
    /// </summary>
    private void EndDelivery(EntryRecord entry, JobError error, DateTimeOffset now)
    {
        entry.Holder = null;
        var unfinished = entry.Jobs.FindAll(j => !j.State.IsTerminal());
        foreach (var job in unfinished)
            job.LastError = error;
        if (unfinished.Count == 0)
            return;

        if (entry.CountedDeliveries >= _options.MaxDeliveries)
        {
            foreach (var job in unfinished)
                Finish(job, JobState.DeadLettered, error, now);
            _deadLetters.AddFirst(new DeadLetter(entry.Id, entry.Entry, entry.DeliveryCount, error, now));
            while (_deadLetters.Count > _options.MaxDeadLetters)
                _deadLetters.RemoveLast();
            return;
        }

        foreach (var job in unfinished)
            SetState(job, JobState.Queued);
        _kinds[entry.Entry.Kind].AddReady(entry);
    }
}
