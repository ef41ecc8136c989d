namespace GenArt.Redis;

/// <summary>One stream entry. <see cref="Fields"/> is null when the entry was deleted but is still pending (XREADGROUP history).</summary>
public sealed class StreamEntry(string id, IReadOnlyList<KeyValuePair<string, RedisValue>>? fields)
{
    public string Id { get; } = id;

    public IReadOnlyList<KeyValuePair<string, RedisValue>>? Fields { get; } = fields;

    public bool IsDeleted => Fields is null;

    /// <summary>The first value of the named field, or <see cref="RedisValue.Null"/>.</summary>
    public RedisValue this[string field]
    {
        get
        {
            if (Fields is null) return RedisValue.Null;
            foreach (var pair in Fields)
            {
                if (pair.Key == field) return pair.Value;
            }
            return RedisValue.Null;
        }
    }

    public override string ToString() => $"{Id} ({(Fields is null ? "deleted" : Fields.Count + " fields")})";
}

/// <summary>The entries XREAD/XREADGROUP returned for one stream.</summary>
public sealed record StreamReadResult(string Stream, IReadOnlyList<StreamEntry> Entries);

/// <summary>A trimming rule for XADD and XTRIM (MAXLEN or MINID, exact "=" or approximate "~", optional LIMIT).</summary>
public sealed record StreamTrim
{
    private StreamTrim(string strategy, RedisValue threshold, bool approximate, long? limit)
    {
        Strategy = strategy;
        Threshold = threshold;
        Approximate = approximate;
        Limit = limit;
    }

    /// <summary><c>MAXLEN</c> or <c>MINID</c>.</summary>
    public string Strategy { get; }

    public RedisValue Threshold { get; }

    /// <summary>"~": Redis may keep a few more entries and trims whole radix-tree nodes, which is much cheaper.</summary>
    public bool Approximate { get; }

    /// <summary>LIMIT: most entries evicted per call; only valid with <see cref="Approximate"/>.</summary>
    public long? Limit { get; }

    public static StreamTrim MaxLength(long maxLength, bool approximate = false, long? limit = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        return Create("MAXLEN", maxLength, approximate, limit);
    }

    public static StreamTrim MinId(string minId, bool approximate = false, long? limit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(minId);
        return Create("MINID", minId, approximate, limit);
    }

    private static StreamTrim Create(string strategy, RedisValue threshold, bool approximate, long? limit)
    {
        if (limit is not null && !approximate)
            throw new ArgumentException("LIMIT is only allowed with approximate trimming (~).", nameof(limit));
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "LIMIT must not be negative.");
        return new StreamTrim(strategy, threshold, approximate, limit);
    }

    internal void AppendTo(List<RedisValue> parts)
    {
        parts.Add(Strategy);
        parts.Add(Approximate ? "~" : "=");
        parts.Add(Threshold);
        if (Limit is { } limit)
        {
            parts.Add("LIMIT");
            parts.Add(limit);
        }
    }
}

/// <summary>XPENDING summary form: how many entries are pending, their id range, and per-consumer counts.</summary>
public sealed record StreamPendingSummary(long Count, string? LowestId, string? HighestId,
    IReadOnlyList<KeyValuePair<string, long>> Consumers);

/// <summary>One row of the XPENDING extended form.</summary>
public sealed record StreamPendingEntry(string Id, string Consumer, TimeSpan Idle, long DeliveryCount);

/// <summary>XAUTOCLAIM's reply: where to continue, the entries now owned, and ids removed from the PEL because the entry was deleted.</summary>
public sealed record StreamAutoClaimResult(string NextCursor, IReadOnlyList<StreamEntry> Entries, IReadOnlyList<string> DeletedIds);

/// <summary>Optional XCLAIM arguments.</summary>
public sealed record StreamClaimOptions
{
    /// <summary>IDLE: set the entries' idle time instead of resetting it to zero.</summary>
    public TimeSpan? Idle { get; init; }

    /// <summary>RETRYCOUNT: set the delivery counter instead of incrementing it.</summary>
    public long? RetryCount { get; init; }

    /// <summary>FORCE: create PEL entries for ids not pending in the group (they must exist in the stream).</summary>
    public bool Force { get; init; }
}

/// <summary>XINFO STREAM (summary form).</summary>
public sealed record StreamInfo(long Length, string LastGeneratedId, long Groups, StreamEntry? FirstEntry, StreamEntry? LastEntry,
    IReadOnlyDictionary<string, RedisReply> Fields);

/// <summary>One consumer group from XINFO GROUPS. <see cref="EntriesRead"/> and <see cref="Lag"/> are null when Redis cannot tell (7.0+ fields).</summary>
public sealed record StreamGroupInfo(string Name, long Consumers, long Pending, string LastDeliveredId, long? EntriesRead, long? Lag);

/// <summary>One consumer from XINFO CONSUMERS.</summary>
public sealed record StreamConsumerInfo(string Name, long Pending, TimeSpan Idle);
