using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>XADD: appends an entry and returns its id.</summary>
    /// <param name="id">"*" lets Redis assign the id; an explicit id must be greater than the stream's last id.</param>
    /// <param name="trim">Optional MAXLEN/MINID trimming applied in the same command.</param>
    /// <param name="noMakeStream">NOMKSTREAM: do not create a missing stream; the result is then null.</param>
    public async Task<string?> XAddAsync(string key, IReadOnlyList<(string Field, RedisValue Value)> fields, string id = "*",
        StreamTrim? trim = null, bool noMakeStream = false, CancellationToken cancellationToken = default)
    {
        if (fields.Count == 0) throw new ArgumentException("XADD needs at least one field.", nameof(fields));
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var parts = new List<RedisValue>(8 + fields.Count * 2) { "XADD", key };
        if (noMakeStream) parts.Add("NOMKSTREAM");
        trim?.AppendTo(parts);
        parts.Add(id);
        foreach (var (field, value) in fields)
        {
            parts.Add(field);
            parts.Add(value);
        }
        var reply = await SendAsync(new RedisCommand("XADD", parts.ToArray()), cancellationToken).ConfigureAwait(false);
        return reply.IsNull ? null : reply.ToString();
    }

    /// <summary>XLEN: number of entries (0 for a missing key).</summary>
    public async Task<long> XLenAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("XLEN", "XLEN", key), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>XRANGE: entries with ids from <paramref name="start"/> to <paramref name="end"/> inclusive ("(" prefix excludes).</summary>
    public Task<IReadOnlyList<StreamEntry>> XRangeAsync(string key, string start = "-", string end = "+", int? count = null,
        CancellationToken cancellationToken = default) =>
        RangeAsync("XRANGE", key, start, end, count, cancellationToken);

    /// <summary>XREVRANGE: like XRANGE, newest first; note the bounds come end first.</summary>
    public Task<IReadOnlyList<StreamEntry>> XRevRangeAsync(string key, string end = "+", string start = "-", int? count = null,
        CancellationToken cancellationToken = default) =>
        RangeAsync("XREVRANGE", key, end, start, count, cancellationToken);

    private async Task<IReadOnlyList<StreamEntry>> RangeAsync(string name, string key, string first, string second, int? count,
        CancellationToken cancellationToken)
    {
        var command = new CommandBuilder(name).Add(name).Add(key).Add(first).Add(second);
        if (count is { } n) command.Add("COUNT").Add(n);
        var reply = await SendAsync(command.Build(), cancellationToken).ConfigureAwait(false);
        return Replies.Entries(name, reply);
    }

    /// <summary>XREAD on one stream: entries after <paramref name="id"/> ("$" for only new ones).</summary>
    public async Task<IReadOnlyList<StreamEntry>> XReadAsync(string key, string id, int? count = null, TimeSpan? block = null,
        CancellationToken cancellationToken = default)
    {
        var results = await XReadAsync([(key, id)], count, block, cancellationToken).ConfigureAwait(false);
        return results.Count == 0 ? [] : results[0].Entries;
    }

    /// <summary>
    /// XREAD: entries after each stream's id. With <paramref name="block"/> the read waits up to that long for
    /// new entries on a connection of its own (zero waits forever) and returns an empty list on timeout.
    /// </summary>
    public async Task<IReadOnlyList<StreamReadResult>> XReadAsync(IReadOnlyList<(string Key, string Id)> streams, int? count = null,
        TimeSpan? block = null, CancellationToken cancellationToken = default)
    {
        if (streams.Count == 0) throw new ArgumentException("XREAD needs at least one stream.", nameof(streams));
        var parts = new List<RedisValue>(6 + streams.Count * 2) { "XREAD" };
        AppendCountBlock(parts, count, block);
        AppendStreams(parts, streams);
        var reply = await SendBlockingAsync(new RedisCommand("XREAD", parts.ToArray()), block, cancellationToken).ConfigureAwait(false);
        return Replies.ReadResults("XREAD", reply);
    }

    /// <summary>XDEL: how many of the ids existed and were deleted.</summary>
    public async Task<long> XDelAsync(string key, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(WithIds("XDEL", [key], ids), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>XTRIM: how many entries were evicted.</summary>
    public async Task<long> XTrimAsync(string key, StreamTrim trim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trim);
        var parts = new List<RedisValue> { "XTRIM", key };
        trim.AppendTo(parts);
        var reply = await SendAsync(new RedisCommand("XTRIM", parts.ToArray()), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    private static void AppendCountBlock(List<RedisValue> parts, int? count, TimeSpan? block)
    {
        if (count is { } n)
        {
            if (n < 1) throw new ArgumentOutOfRangeException(nameof(count), n, "COUNT must be at least 1.");
            parts.Add("COUNT");
            parts.Add(n);
        }
        if (block is { } b)
        {
            if (b < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(block), b, "BLOCK must not be negative.");
            parts.Add("BLOCK");
            parts.Add((long)Math.Ceiling(b.TotalMilliseconds));
        }
    }

    // STREAMS key1 key2 ... id1 id2 ...: all keys first, then the ids in the same order (redis.io XREAD).
    private static void AppendStreams(List<RedisValue> parts, IReadOnlyList<(string Key, string Id)> streams)
    {
        parts.Add("STREAMS");
        foreach (var (key, _) in streams) parts.Add(key);
        foreach (var (_, id) in streams) parts.Add(id);
    }

    private static RedisCommand WithIds(string name, RedisValue[] head, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) throw new ArgumentException($"{name} needs at least one id.", nameof(ids));
        var parts = new RedisValue[1 + head.Length + ids.Count];
        parts[0] = name;
        head.CopyTo(parts, 1);
        for (int i = 0; i < ids.Count; i++) parts[1 + head.Length + i] = ids[i];
        return new RedisCommand(name, parts);
    }
}
