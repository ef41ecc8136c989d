using System.Globalization;
using System.Text.Json;
using GenArt.Jobs.Internal;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

public sealed partial class RedisJobQueue
{
    /// <inheritdoc />
    public async Task<JobInfo?> GetJobAsync(JobId jobId, CancellationToken cancellationToken = default)
    {
        var reply = await JobsScriptAsync("get", cancellationToken, jobId.Value).ConfigureAwait(false);
        if (reply.Elements.Count == 0)
            return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < reply.Elements.Count; i += 2)
            fields[Text(reply.Elements[i])] = Text(reply.Elements[i + 1]);
        return ToInfo(jobId, fields);
    }

    private static JobInfo ToInfo(JobId id, Dictionary<string, string> f)
    {
        string? Get(string name) => f.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        int Int(string name) => Get(name) is { } v ? int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) : 0;
        DateTimeOffset? Time(string name) => Get(name) is { } v ? FromTicks(v) : null;
        var error = Get("errcode") is { } code
            ? new JobError(Enum.Parse<JobErrorCode>(code), Get("errmsg") ?? "")
            : null;
        return new JobInfo(
            id,
            Get("tenant") ?? "",
            Enum.Parse<JobState>(Get("state") ?? nameof(JobState.Queued)),
            RedisKeys.ParsePriority(Get("priority") ?? ""),
            Get("entry") ?? "",
            Int("attempts"),
            Time("created") ?? DateTimeOffset.UnixEpoch,
            Time("started"),
            Time("finished"),
            Get("worker"),
            error,
            Int("images"),
            Int("ready"),
            Get("seq") is { } seq ? long.Parse(seq, NumberStyles.Integer, CultureInfo.InvariantCulture) : 0,
            Get("kind") == RedisKeys.Kind(EntryKind.FineTune) ? EntryKind.FineTune : EntryKind.Generate);
    }

    /// <inheritdoc />
    public async Task<JobState> CancelAsync(JobId jobId, string tenant, CancellationToken cancellationToken = default)
    {
        EntryValidator.ValidateTenant(tenant);
        var reply = await JobsScriptAsync("cancel", cancellationToken, jobId.Value, tenant).ConfigureAwait(false);
        if (Text(reply.Elements[0]) != "ok")
            throw Errors.NotFound(jobId);
        return Enum.Parse<JobState>(Text(reply.Elements[1]));
    }

    /// <inheritdoc />
    public async Task<bool> IsCancelledAsync(JobId jobId, CancellationToken cancellationToken = default)
    {
        var reply = await JobsScriptAsync("cancelled", cancellationToken, jobId.Value).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <inheritdoc />
    public async Task<QueueDepth> QueueDepthAsync(CancellationToken cancellationToken = default)
    {
        var reply = (await JobsScriptAsync("depth", cancellationToken).ConfigureAwait(false)).Elements;
        return new QueueDepth((int)Number(reply[0]), (int)Number(reply[1]), (int)Number(reply[2]), (int)Number(reply[3]));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit < 0)
            throw Errors.Invalid("limit", $"must not be negative, not {limit}");
        if (limit == 0)
        {
            await JobsScriptAsync("reclaim", cancellationToken).ConfigureAwait(false);
            return [];
        }
        var reply = await JobsScriptAsync("dead", cancellationToken, limit).ConfigureAwait(false);
        var letters = new List<DeadLetter>(reply.Elements.Count);
        foreach (var item in reply.Elements)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            var pairs = item.Elements[1].Elements;
            for (var i = 0; i + 1 < pairs.Count; i += 2)
                fields[Text(pairs[i])] = Text(pairs[i + 1]);
            var stored = JsonSerializer.Deserialize(fields["entry"], JobsJsonContext.Default.QueueEntry)
                ?? throw new JobQueueException(JobErrorCode.Internal, "A dead letter holds an empty entry.");
            var jobs = new HashSet<string>(fields["jobs"].Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            letters.Add(new DeadLetter(
                fields["entryId"],
                stored with { Jobs = stored.Jobs.Where(j => jobs.Contains(j.Id.Value)).ToArray() },
                int.Parse(fields["deliveries"], NumberStyles.Integer, CultureInfo.InvariantCulture),
                new JobError(Enum.Parse<JobErrorCode>(fields["code"]), fields["message"]),
                FromTicks(fields["at"])));
        }
        return letters;
    }
}
