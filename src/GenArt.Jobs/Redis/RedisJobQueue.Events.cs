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
        var args = Args(7);
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
        var reply = (await RunAsync(QueueScripts.Publish, "publish", args, cancellationToken).ConfigureAwait(false)).Elements;
        return Text(reply[0]) switch
        {
            "stored" => new PublishResult(PublishOutcome.Stored, Number(reply[1])),
            "duplicate" => new PublishResult(PublishOutcome.Duplicate, Number(reply[1])),
            "finished" => new PublishResult(PublishOutcome.JobFinished, 0),
            _ => throw Errors.NotFound(jobId),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobEvent> WatchAsync(
        JobId jobId,
        long afterSequence,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (afterSequence < 0)
            throw Errors.Invalid("afterSequence", $"must not be negative, not {afterSequence}");
        var info = await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false) ?? throw Errors.NotFound(jobId);
        var last = afterSequence;
        var key = _keys.Events(jobId);

        // 1. What is stored already.
        foreach (var e in await ReadStoredAsync(jobId, key, last, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
            last = e.Sequence;
            if (e.Body.IsTerminal)
                yield break;
        }
        // A reattach at or after the terminal event has nothing more to follow.
        if (info.State.IsTerminal() && last >= info.LastSequence)
            yield break;

        // 2. Join the relay, then read once more: events stored between the first read and joining are not
        // lost, and anything the relay repeats is dropped by sequence number.
        using var subscription = _relay.Subscribe(key, last);
        foreach (var e in await ReadStoredAsync(jobId, key, last, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
            last = e.Sequence;
            if (e.Body.IsTerminal)
                yield break;
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

    private async Task<List<JobEvent>> ReadStoredAsync(JobId jobId, string key, long after, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        IReadOnlyList<StreamEntry> entries;
        try
        {
            entries = await Client.XRangeAsync(key, "(0-" + after.ToString(CultureInfo.InvariantCulture), "+",
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate("watch", e) is { } translated)
        {
            throw translated;
        }
        return entries.Select(entry => ToEvent(jobId, entry)).ToList();
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
