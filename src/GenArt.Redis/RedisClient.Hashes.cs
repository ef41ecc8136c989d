using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>HSET: how many fields were newly created (updated fields do not count).</summary>
    public async Task<long> HSetAsync(string key, IReadOnlyList<(string Field, RedisValue Value)> fields,
        CancellationToken cancellationToken = default)
    {
        if (fields.Count == 0) throw new ArgumentException("HSET needs at least one field.", nameof(fields));
        var parts = new RedisValue[2 + fields.Count * 2];
        parts[0] = "HSET";
        parts[1] = key;
        for (int i = 0; i < fields.Count; i++)
        {
            parts[2 + 2 * i] = fields[i].Field;
            parts[3 + 2 * i] = fields[i].Value;
        }
        var reply = await SendAsync(new RedisCommand("HSET", parts), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    public Task<long> HSetAsync(string key, string field, RedisValue value, CancellationToken cancellationToken = default) =>
        HSetAsync(key, [(field, value)], cancellationToken);

    /// <summary>HGET: the field's value, or null when the key or field is missing.</summary>
    public async Task<RedisValue> HGetAsync(string key, string field, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("HGET", "HGET", key, field), cancellationToken).ConfigureAwait(false);
        return reply.ToValue();
    }

    /// <summary>HGETALL: every field and value; empty when the key is missing.</summary>
    public async Task<Dictionary<string, RedisValue>> HGetAllAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("HGETALL", "HGETALL", key), cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        foreach (var pair in Replies.Pairs("HGETALL", reply)) result[pair.Key] = pair.Value.ToValue();
        return result;
    }

    /// <summary>HDEL: how many of the fields existed and were removed.</summary>
    public async Task<long> HDelAsync(string key, IReadOnlyList<string> fields, CancellationToken cancellationToken = default)
    {
        if (fields.Count == 0) throw new ArgumentException("HDEL needs at least one field.", nameof(fields));
        var parts = new RedisValue[2 + fields.Count];
        parts[0] = "HDEL";
        parts[1] = key;
        for (int i = 0; i < fields.Count; i++) parts[2 + i] = fields[i];
        var reply = await SendAsync(new RedisCommand("HDEL", parts), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    public Task<long> HDelAsync(string key, string field, CancellationToken cancellationToken = default) =>
        HDelAsync(key, [field], cancellationToken);

    /// <summary>HINCRBY: the field's value after adding <paramref name="increment"/>.</summary>
    public async Task<long> HIncrByAsync(string key, string field, long increment, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("HINCRBY", "HINCRBY", key, field, increment), cancellationToken)
            .ConfigureAwait(false);
        return reply.ToInt64();
    }
}
