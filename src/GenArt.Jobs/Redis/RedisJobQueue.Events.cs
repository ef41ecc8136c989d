using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GenArt.Jobs.Internal;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

public sealed partial class RedisJobQueue
{
    /// <inheritdoc />
    public async Task<PublishResult> PublishAsync(JobId jobId, JobEventBody body, CancellationToken cancellationToken = default)
    {
        EventValidator.Validate(body);
        var results = await PublishEventsAsync([(jobId, body)], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PublishResult>> PublishAllAsync(IReadOnlyList<(JobId JobId, JobEventBody Body)> events,
        CancellationToken cancellationToken = default)
    {
        EventValidator.Validate(events);
        return events.Count == 0 ? [] : await PublishEventsAsync(events, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PublishResult[]> PublishEventsAsync(IReadOnlyList<(JobId JobId, JobEventBody Body)> events,
        CancellationToken cancellationToken)
    {
        var args = Args(7 * events.Count);
        foreach (var (jobId, body) in events)
        {
            args.Add(jobId.Value);
            args.Add(body.DedupKey);
            args.Add(body.IsTerminal ? "terminal" : body is JobImage ? "image" : "progress");
            args.Add(QueueScripts.BodyJson(body));
            var (state, code, message) = body switch
            {
                JobCompleted => (JobState.Succeeded, "", ""),
                JobFailed f => (JobState.Failed, f.Code.ToString(), f.Message),
                JobCancelled => (JobState.Cancelled, "", ""),
                _ => (JobState.Running, "", ""),
            };
            args.Add(state.ToString());
            args.Add(code);
            args.Add(message);
        }
        var reply = (await RunAsync(QueueScripts.Publish, "publish", args, cancellationToken).ConfigureAwait(false)).Elements;
        if (Text(reply[0]) == "notfound")
            throw Errors.NotFound(events[(int)Number(reply[1])].JobId);
        var results = new PublishResult[events.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var sequence = Number(reply[2 * i + 1]);
            results[i] = Text(reply[2 * i]) switch
            {
                "stored" => new PublishResult(PublishOutcome.Stored, sequence),
                "duplicate" => new PublishResult(PublishOutcome.Duplicate, sequence),
                _ => new PublishResult(PublishOutcome.JobFinished, 0),
            };
        }
        return results;
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
        var key = _keys.Events(jobId);

        // 1. What is stored, read together with the job's state (one round trip).
        var (found, ended, lastSequence, stored) = await ReadStoredAsync(jobId, key, last, cancellationToken).ConfigureAwait(false);
        if (!found)
            throw Errors.NotFound(jobId);
        foreach (var e in stored)
        {
            yield return e;
            last = e.Sequence;
            if (e.Body.IsTerminal)
                yield break;
        }
        // A reattach at or after the terminal event has nothing more to follow.
        if (ended && last >= lastSequence)
            yield break;

        // 2. Join the relay, which reads the stream from an explicit cursor, so nothing published since the read
        // above is missed. Only when the relay already follows this stream past that point (another watcher of the
        // same job) are the events in between read again here; anything the relay repeats is dropped by sequence.
        using var subscription = _relay.Subscribe(key, last, out var relayCursor);
        if (relayCursor > last)
        {
            var (_, _, _, missed) = await ReadStoredAsync(jobId, key, last, cancellationToken).ConfigureAwait(false);
            foreach (var e in missed)
            {
                yield return e;
                last = e.Sequence;
                if (e.Body.IsTerminal)
                    yield break;
            }
        }

        // 3. Live events as the relay reads them.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        while (true)
        {
            StreamEntry entry;
            try
            {
                entry = await subscription.Events.ReadAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ObjectDisposedException(nameof(RedisJobQueue));
            }
            var e = ToEvent(jobId, entry);
            if (e.Sequence <= last)
                continue;
            yield return e;
            last = e.Sequence;
            if (e.Body.IsTerminal)
                yield break;
        }
    }

    /// <summary>The job's state fields and its events after <paramref name="after"/>, read with one round trip.</summary>
    private async Task<(bool Found, bool Ended, long LastSequence, List<JobEvent> Events)> ReadStoredAsync(
        JobId jobId, string key, long after, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        RedisReply state;
        IReadOnlyList<StreamEntry> entries;
        try
        {
            // Both are written before either reply is awaited, so they share the connection's round trip.
            var stateTask = Client.ExecuteAsync("HMGET", [_keys.Job(jobId), "state", "expires", "seq"], cancellationToken);
            var entriesTask = Client.XRangeAsync(key, "(0-" + after.ToString(CultureInfo.InvariantCulture), "+",
                cancellationToken: cancellationToken);
            state = await stateTask.ConfigureAwait(false);
            entries = await entriesTask.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ObjectDisposedException && _disposed.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(RedisJobQueue), e);
        }
        catch (Exception e) when (Translate("watch", e) is { } translated)
        {
            throw translated;
        }
        var fields = state.Elements;
        // A finished job is gone once the injected clock passes its expiry, as in every script.
        if (fields[0].IsNull
            || (!fields[1].IsNull && Number(fields[1]) <= _time.GetUtcNow().ToUnixTimeMilliseconds()))
            return (false, false, 0, []);
        var ended = Enum.Parse<JobState>(Text(fields[0])).IsTerminal();
        var lastSequence = fields[2].IsNull ? 0 : Number(fields[2]);
        return (true, ended, lastSequence, entries.Select(entry => ToEvent(jobId, entry)).ToList());
    }

    internal static long SequenceOf(string streamId) =>
        long.Parse(streamId.AsSpan(streamId.IndexOf('-') + 1), NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static JobEvent ToEvent(JobId jobId, StreamEntry entry)
    {
        var body = JsonSerializer.Deserialize(entry["body"].ToString(), JobsJsonContext.Default.JobEventBody)
            ?? throw new JobQueueException(JobErrorCode.Internal, $"Event {entry.Id} of job {jobId} is empty.");
        return new JobEvent(jobId, SequenceOf(entry.Id), FromTicks(entry["at"].ToString()), body);
    }
}
