using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>PING: returns "PONG", or <paramref name="message"/> echoed back.</summary>
    public async Task<string> PingAsync(string? message = null, CancellationToken cancellationToken = default)
    {
        var command = message is null ? RedisCommand.Create("PING", "PING") : RedisCommand.Create("PING", "PING", message);
        var reply = await SendAsync(command, cancellationToken).ConfigureAwait(false);
        return reply.ToString();
    }

    /// <summary>GET: the value, or <see cref="RedisValue.Null"/> when the key does not exist.</summary>
    public async Task<RedisValue> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("GET", "GET", key), cancellationToken).ConfigureAwait(false);
        return reply.ToValue();
    }

    /// <summary>SET with optional expiry (EX for whole seconds, PX otherwise) and NX/XX.</summary>
    /// <returns>False when NX/XX prevented the write.</returns>
    public async Task<bool> SetAsync(string key, RedisValue value, TimeSpan? expiry = null,
        SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default)
    {
        var command = new CommandBuilder("SET").Add("SET").Add(key).Add(value);
        if (expiry is { } ttl)
        {
            if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(expiry), ttl, "Expiry must be positive.");
            long ms = (long)ttl.TotalMilliseconds;
            if (ms % 1000 == 0) command.Add("EX").Add(ms / 1000);
            else command.Add("PX").Add(Math.Max(ms, 1));
        }
        if (condition == SetCondition.IfNotExists) command.Add("NX");
        else if (condition == SetCondition.IfExists) command.Add("XX");
        var reply = await SendAsync(command.Build(), cancellationToken).ConfigureAwait(false);
        if (reply.IsNull) return false;
        Replies.ExpectOk("SET", reply);
        return true;
    }

    /// <summary>DEL: how many of the keys existed and were removed.</summary>
    public Task<long> DelAsync(string key, CancellationToken cancellationToken = default) =>
        DelAsync([key], cancellationToken);

    public Task<long> DelAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        IntegerAsync("DEL", keys, cancellationToken);

    /// <summary>EXISTS: how many of the keys exist (a key named twice counts twice).</summary>
    public Task<long> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        ExistsAsync([key], cancellationToken);

    public Task<long> ExistsAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        IntegerAsync("EXISTS", keys, cancellationToken);

    /// <summary>EXPIRE in whole seconds (rounded up); false if the key does not exist.</summary>
    public async Task<bool> ExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        long seconds = (long)Math.Ceiling(expiry.TotalSeconds);
        var reply = await SendAsync(RedisCommand.Create("EXPIRE", "EXPIRE", key, seconds), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <summary>PEXPIRE in milliseconds; false if the key does not exist.</summary>
    public async Task<bool> PExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        long ms = (long)Math.Ceiling(expiry.TotalMilliseconds);
        var reply = await SendAsync(RedisCommand.Create("PEXPIRE", "PEXPIRE", key, ms), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    /// <summary>TTL in seconds: -1 when the key has no expiry, -2 when it does not exist (redis.io TTL).</summary>
    public async Task<long> TtlAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("TTL", "TTL", key), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>PTTL in milliseconds, with TTL's -1 and -2.</summary>
    public async Task<long> PTtlAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("PTTL", "PTTL", key), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>INCR: the value after incrementing (a missing key counts as 0).</summary>
    public async Task<long> IncrAsync(string key, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("INCR", "INCR", key), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>INCRBY: the value after adding <paramref name="increment"/>.</summary>
    public async Task<long> IncrByAsync(string key, long increment, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("INCRBY", "INCRBY", key, increment), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    /// <summary>PUBLISH: how many subscribers received the message.</summary>
    public async Task<long> PublishAsync(string channel, RedisValue message, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("PUBLISH", "PUBLISH", channel, message), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }

    private async Task<long> IntegerAsync(string name, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0) throw new ArgumentException($"{name} needs at least one key.", nameof(keys));
        var parts = new RedisValue[keys.Count + 1];
        parts[0] = name;
        for (int i = 0; i < keys.Count; i++) parts[i + 1] = keys[i];
        var reply = await SendAsync(new RedisCommand(name, parts), cancellationToken).ConfigureAwait(false);
        return reply.ToInt64();
    }
}
