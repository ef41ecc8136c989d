using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>XGROUP CREATE: a group that starts delivering after <paramref name="id"/> ("$": only new entries, "0": everything).</summary>
    /// <param name="makeStream">MKSTREAM: create the stream if it does not exist.</param>
    /// <exception cref="RedisServerException">BUSYGROUP when the group exists.</exception>
    public async Task XGroupCreateAsync(string key, string group, string id = "$", bool makeStream = false,
        CancellationToken cancellationToken = default)
    {
        var command = new CommandBuilder("XGROUP CREATE").Add("XGROUP").Add("CREATE").Add(key).Add(group).Add(id);
        if (makeStream) command.Add("MKSTREAM");
        var reply = await SendAsync(command.Build(), cancellationToken).ConfigureAwait(false);
        Replies.ExpectOk("XGROUP CREATE", reply);
    }

    /// <summary>XGROUP CREATECONSUMER: true if the consumer was created, false if it existed.</summary>
    public async Task<bool> XGroupCreateConsumerAsync(string key, string group, string consumer, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("XGROUP CREATECONSUMER", "XGROUP", "CREATECONSUMER", key, group, consumer),
            cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <summary>XGROUP DELCONSUMER: the number of entries the consumer still had pending (they are dropped from the PEL).</summary>
    public async Task<long> XGroupDelConsumerAsync(string key, string group, string consumer, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("XGROUP DELCONSUMER", "XGROUP", "DELCONSUMER", key, group, consumer),
            cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>XGROUP DESTROY: true if the group existed.</summary>
    public async Task<bool> XGroupDestroyAsync(string key, string group, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("XGROUP DESTROY", "XGROUP", "DESTROY", key, group), cancellationToken)
            .ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <summary>XREADGROUP on one stream. <paramref name="id"/> "&gt;" reads new entries; any other id reads this consumer's pending history.</summary>
    public async Task<IReadOnlyList<StreamEntry>> XReadGroupAsync(string group, string consumer, string key, string id = ">",
        int? count = null, TimeSpan? block = null, bool noAck = false, CancellationToken cancellationToken = default)
    {
        var results = await XReadGroupAsync(group, consumer, [(key, id)], count, block, noAck, cancellationToken).ConfigureAwait(false);
        return results.Count == 0 ? [] : results[0].Entries;
    }

    /// <summary>
    /// XREADGROUP: delivers entries to <paramref name="consumer"/> and records them as pending until XACK (unless NOACK).
    /// With <paramref name="block"/> the read waits on a connection of its own; an empty list means the wait timed out.
    /// </summary>
    public async Task<IReadOnlyList<StreamReadResult>> XReadGroupAsync(string group, string consumer,
        IReadOnlyList<(string Key, string Id)> streams, int? count = null, TimeSpan? block = null, bool noAck = false,
        CancellationToken cancellationToken = default)
    {
        if (streams.Count == 0) throw new ArgumentException("XREADGROUP needs at least one stream.", nameof(streams));
        var parts = new List<RedisValue>(10 + streams.Count * 2) { "XREADGROUP", "GROUP", group, consumer };
        AppendCountBlock(parts, count, block);
        if (noAck) parts.Add("NOACK");
        AppendStreams(parts, streams);
        var reply = await SendBlockingAsync(new RedisCommand("XREADGROUP", parts.ToArray()), block, cancellationToken)
            .ConfigureAwait(false);
        return Replies.ReadResults("XREADGROUP", reply);
    }

    /// <summary>XACK: how many of the ids were pending and are now acknowledged.</summary>
    public async Task<long> XAckAsync(string key, string group, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(WithIds("XACK", [key, group], ids), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    public Task<long> XAckAsync(string key, string group, string id, CancellationToken cancellationToken = default) =>
        XAckAsync(key, group, [id], cancellationToken);

    /// <summary>XPENDING summary form.</summary>
    public async Task<StreamPendingSummary> XPendingAsync(string key, string group, CancellationToken cancellationToken = default)
    {
        const string name = "XPENDING";
        var reply = await SendAsync(RedisCommand.Create(name, name, key, group), cancellationToken).ConfigureAwait(false);
        var parts = Replies.Aggregate(name, reply);
        if (parts.Length != 4) throw Replies.Unexpected(name, reply, "[count, lowest, highest, consumers]");
        var consumers = new List<KeyValuePair<string, long>>();
        if (!parts[3].IsNull)
        {
            foreach (var row in Replies.Aggregate(name, parts[3]))
            {
                var cells = Replies.Aggregate(name, row);
                if (cells.Length != 2) throw Replies.Unexpected(name, row, "[consumer, count]");
                consumers.Add(new KeyValuePair<string, long>(cells[0].ToString(), cells[1].ToInt64()));
            }
        }
        return new StreamPendingSummary(parts[0].ToInt64(), parts[1].IsNull ? null : parts[1].ToString(),
            parts[2].IsNull ? null : parts[2].ToString(), consumers);
    }

    /// <summary>XPENDING extended form: pending entries from <paramref name="start"/> to <paramref name="end"/>, optionally
    /// only those idle at least <paramref name="minIdle"/> or owned by <paramref name="consumer"/>.</summary>
    public async Task<IReadOnlyList<StreamPendingEntry>> XPendingRangeAsync(string key, string group, string start = "-",
        string end = "+", int count = 100, string? consumer = null, TimeSpan? minIdle = null, CancellationToken cancellationToken = default)
    {
        const string name = "XPENDING";
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        var command = new CommandBuilder(name).Add(name).Add(key).Add(group);
        if (minIdle is { } idle) command.Add("IDLE").Add((long)idle.TotalMilliseconds);
        command.Add(start).Add(end).Add(count);
        if (consumer is not null) command.Add(consumer);
        var reply = await SendAsync(command.Build(), cancellationToken).ConfigureAwait(false);
        var rows = Replies.Aggregate(name, reply);
        var result = new StreamPendingEntry[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            var cells = Replies.Aggregate(name, rows[i]);
            if (cells.Length != 4) throw Replies.Unexpected(name, rows[i], "[id, consumer, idle, deliveries]");
            result[i] = new StreamPendingEntry(cells[0].ToString(), cells[1].ToString(),
                TimeSpan.FromMilliseconds(cells[2].ToInt64()), cells[3].ToInt64());
        }
        return result;
    }

    /// <summary>
    /// XAUTOCLAIM: moves pending entries idle at least <paramref name="minIdle"/> to <paramref name="consumer"/>, scanning from
    /// <paramref name="start"/>. Carry <see cref="StreamAutoClaimResult.NextCursor"/> into the next call; "0-0" means the scan wrapped.
    /// </summary>
    public async Task<StreamAutoClaimResult> XAutoClaimAsync(string key, string group, string consumer, TimeSpan minIdle,
        string start = "0-0", int? count = null, CancellationToken cancellationToken = default)
    {
        const string name = "XAUTOCLAIM";
        var command = new CommandBuilder(name).Add(name).Add(key).Add(group).Add(consumer)
            .Add((long)minIdle.TotalMilliseconds).Add(start);
        if (count is { } n) command.Add("COUNT").Add(n);
        var reply = await SendAsync(command.Build(), cancellationToken).ConfigureAwait(false);
        var parts = Replies.Aggregate(name, reply);
        // Redis 7 adds the third element (ids deleted from the stream, dropped from the PEL); 6.2 sent two.
        if (parts.Length is not (2 or 3)) throw Replies.Unexpected(name, reply, "[cursor, entries, deleted ids]");
        var entries = Replies.Entries(name, parts[1]);
        var deleted = parts.Length == 3 ? Replies.Strings(name, parts[2]) : [];
        return new StreamAutoClaimResult(parts[0].ToString(), entries, deleted);
    }

    /// <summary>XCLAIM: takes ownership of the given pending ids if idle at least <paramref name="minIdle"/>; returns the claimed entries.</summary>
    public async Task<IReadOnlyList<StreamEntry>> XClaimAsync(string key, string group, string consumer, TimeSpan minIdle,
        IReadOnlyList<string> ids, StreamClaimOptions? options = null, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(ClaimCommand(key, group, consumer, minIdle, ids, options, justId: false), cancellationToken)
            .ConfigureAwait(false);
        return Replies.Entries("XCLAIM", reply);
    }

    /// <summary>XCLAIM ... JUSTID: like <see cref="XClaimAsync"/> but returns ids only and leaves the delivery count alone.</summary>
    public async Task<IReadOnlyList<string>> XClaimIdsAsync(string key, string group, string consumer, TimeSpan minIdle,
        IReadOnlyList<string> ids, StreamClaimOptions? options = null, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(ClaimCommand(key, group, consumer, minIdle, ids, options, justId: true), cancellationToken)
            .ConfigureAwait(false);
        return Replies.Strings("XCLAIM", reply);
    }

    private static RedisCommand ClaimCommand(string key, string group, string consumer, TimeSpan minIdle, IReadOnlyList<string> ids,
        StreamClaimOptions? options, bool justId)
    {
        if (ids.Count == 0) throw new ArgumentException("XCLAIM needs at least one id.", nameof(ids));
        var command = new CommandBuilder("XCLAIM").Add("XCLAIM").Add(key).Add(group).Add(consumer).Add((long)minIdle.TotalMilliseconds);
        foreach (string id in ids) command.Add(id);
        if (options?.Idle is { } idle) command.Add("IDLE").Add((long)idle.TotalMilliseconds);
        if (options?.RetryCount is { } retries) command.Add("RETRYCOUNT").Add(retries);
        if (options?.Force == true) command.Add("FORCE");
        if (justId) command.Add("JUSTID");
        return command.Build();
    }
}
