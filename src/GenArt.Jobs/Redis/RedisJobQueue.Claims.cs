using System.Globalization;
using System.Text.Json;
using GenArt.Jobs.Internal;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

public sealed partial class RedisJobQueue
{
    /// <summary>
    /// Length of the shared blocking read of waiting claims. It bounds how late a lease lapse measured on another
    /// process's clock, or a wake-up lost in a Redis restart, is noticed; timers on the injected clock wake each
    /// claim earlier for its own wait and the earliest lease.
    /// </summary>
    private static readonly TimeSpan LongestBlock = TimeSpan.FromSeconds(1);

    private readonly Lock _waitGate = new();
    private readonly Dictionary<EntryKind, Task> _sharedWaits = [];

    /// <summary>
    /// How long a consumer with no pending entries may go without reading before it is removed from the consumer
    /// group (Redis measures this idleness on its own clock). A waiting worker reads at least once a second.
    /// </summary>
    internal TimeSpan ConsumerIdleLimit { get; set; } = TimeSpan.FromHours(1);

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
            var args = Args(3);
            var now = _time.GetUtcNow();
            args.Add(RedisKeys.Kind(kind));
            args.Add(consumerId);
            args.Add(Milliseconds(ConsumerIdleLimit));
            // Not cancellable once sent: a claim the script made must reach this caller, or the entry would sit claimed
            // by nobody until its lease lapsed. The script is short and the client's command timeout bounds it.
            var reply = (await RunAsync(QueueScripts.Claim, "claim", args, CancellationToken.None).ConfigureAwait(false)).Elements;
            if (Text(reply[0]) == "entry")
                return ToClaim(kind, consumerId, reply);
            if (now >= giveUpAt)
                return null;

            // Nothing to claim: wait for a new entry or a returned one (the wake stream), the earliest lease to
            // lapse, or the end of the wait, whichever comes first.
            var nextLapse = Number(reply[1]);
            var wakeAt = nextLapse >= 0 && DateTimeOffset.FromUnixTimeMilliseconds(nextLapse) < giveUpAt
                ? DateTimeOffset.FromUnixTimeMilliseconds(nextLapse)
                : giveUpAt;
            var delay = wakeAt - _time.GetUtcNow();
            if (delay <= TimeSpan.Zero)
                continue;
            (string, string)[] streams =
            [
                (_keys.Queue(kind, JobPriority.Interactive), Text(reply[2])),
                (_keys.Queue(kind, JobPriority.Batch), Text(reply[3])),
                (_keys.Wake(kind), Text(reply[4])),
            ];
            await WaitForWorkAsync(kind, streams, wakeAt, delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkAsync(EntryKind kind, (string, string)[] streams, DateTimeOffset wakeAt, TimeSpan delay,
        CancellationToken cancellationToken)
    {
        // The injected clock decides when this claim's wait is over; the shared read goes on for the others. The
        // timeout is a CancellationTokenSource on that clock rather than a timer of ours calling Cancel: a timer's
        // callback can already be running when the wait ends another way and the sources are disposed, and Cancel
        // on a disposed source throws on a thread-pool thread, which ends the process. The source's own timer
        // tolerates that race. A wait past a timer's range (about 49 days) wakes after a day and looks again.
        var timeout = delay < TimeSpan.FromDays(1) ? delay : TimeSpan.FromDays(1);
        using var due = wakeAt == DateTimeOffset.MaxValue ? null : new CancellationTokenSource(timeout, _time);
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token, due?.Token ?? CancellationToken.None);
        try
        {
            await SharedWait(kind, streams).WaitAsync(wake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            // The planned wake-up time came: look again.
        }
        catch (Exception e) when (e is not ObjectDisposedException && _disposed.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(RedisJobQueue), e);
        }
        catch (Exception e) when (Translate("claim", e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The blocking read that every waiting claim of <paramref name="kind"/> on this queue object shares: one
    /// blocking connection however many workers wait, and a claim that stops waiting (its time is up, or it was
    /// cancelled) leaves the read and its connection alone. A read started from older stream ids may return for an
    /// entry that is already taken; the claims then look again and wait on a fresh read.
    /// </summary>
    private Task SharedWait(EntryKind kind, (string, string)[] streams)
    {
        lock (_waitGate)
        {
            if (_sharedWaits.TryGetValue(kind, out var running) && !running.IsCompleted)
                return running;
            var read = Client.XReadAsync(streams, count: 1, block: LongestBlock, cancellationToken: _disposed.Token);
            // Every waiter may have left before a failure: observe it here so it is never reported as unobserved.
            _ = read.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _sharedWaits[kind] = read;
            return read;
        }
    }

    private static Claim ToClaim(EntryKind kind, string consumerId, IReadOnlyList<RedisReply> reply)
    {
        var entryId = Text(reply[1]);
        var delivery = (int)Number(reply[3]);
        var stored = JsonSerializer.Deserialize(Text(reply[4]), JobsJsonContext.Default.QueueEntry)
            ?? throw new JobQueueException(JobErrorCode.Internal, $"Queue entry {entryId} is empty.");
        var active = new HashSet<string>(Text(reply[5]).Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
        var entry = stored with { Jobs = stored.Jobs.Where(j => active.Contains(j.Id.Value)).ToArray() };
        return new Claim(entryId, kind, consumerId, delivery, entry);
    }

    /// <inheritdoc />
    public Task<bool> HeartbeatAsync(Claim claim, CancellationToken cancellationToken = default) =>
        DeliveryAsync("heartbeat", claim, null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> AckAsync(Claim claim, CancellationToken cancellationToken = default) =>
        DeliveryAsync("ack", claim, null, cancellationToken);

    /// <inheritdoc />
    public Task<bool> FailDeliveryAsync(Claim claim, JobError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        EventValidator.Validate(error);
        return DeliveryAsync("fail", claim, error, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(Claim claim, CancellationToken cancellationToken = default) =>
        DeliveryAsync("release", claim, null, cancellationToken);

    private async Task<bool> DeliveryAsync(string operation, Claim claim, JobError? error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (!Enum.IsDefined(claim.Kind) || claim.Entry is null)
            return false;
        var args = Args(9);
        args.Add(operation);
        args.Add(RedisKeys.Kind(claim.Kind));
        args.Add(RedisKeys.Priority(claim.Entry.Priority));
        args.Add(claim.EntryId);
        args.Add(claim.ConsumerId);
        args.Add(claim.DeliveryCount.ToString(CultureInfo.InvariantCulture));
        if (error is not null)
        {
            args.Add(error.Code.ToString());
            args.Add(error.Message);
            args.Add(QueueScripts.FailedBody(error));
        }
        var reply = await RunAsync(QueueScripts.Delivery, operation, args, cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <inheritdoc />
    public async Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default)
    {
        var reply = await JobsScriptAsync("reclaim", cancellationToken).ConfigureAwait(false);
        return (int)reply.ToInt64();
    }

    private Task<RedisReply> JobsScriptAsync(string operation, CancellationToken cancellationToken, params RedisValue[] extra)
    {
        var args = Args(1 + extra.Length);
        args.Add(operation);
        args.AddRange(extra);
        return RunAsync(QueueScripts.Jobs, operation, args, cancellationToken);
    }
}
