using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    /// <summary>EVAL: runs Lua source with KEYS and ARGV; returns the script's reply as is.</summary>
    public Task<RedisReply> EvalAsync(string script, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(script);
        return SendAsync(ScriptCommand("EVAL", script, keys, args), cancellationToken);
    }

    /// <summary>EVALSHA: runs a cached script by digest; fails with NOSCRIPT if the server does not have it (see <see cref="RedisScript"/>).</summary>
    public Task<RedisReply> EvalShaAsync(string sha1, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sha1);
        return SendAsync(ScriptCommand("EVALSHA", sha1, keys, args), cancellationToken);
    }

    /// <summary>SCRIPT LOAD: caches the script and returns its SHA1 digest.</summary>
    public async Task<string> ScriptLoadAsync(string script, CancellationToken cancellationToken = default)
    {
        var reply = await SendAsync(RedisCommand.Create("SCRIPT LOAD", "SCRIPT", "LOAD", script), cancellationToken).ConfigureAwait(false);
        return reply.ToString();
    }

    private static RedisCommand ScriptCommand(string name, string scriptOrSha, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args)
    {
        var parts = new RedisValue[3 + keys.Count + args.Count];
        parts[0] = name;
        parts[1] = scriptOrSha;
        parts[2] = keys.Count;
        for (int i = 0; i < keys.Count; i++) parts[3 + i] = keys[i];
        for (int i = 0; i < args.Count; i++) parts[3 + keys.Count + i] = args[i];
        return new RedisCommand(name, parts);
    }
}
