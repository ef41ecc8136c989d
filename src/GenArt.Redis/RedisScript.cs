using System.Security.Cryptography;
using System.Text;

namespace GenArt.Redis;

/// <summary>
/// A Lua script run by its SHA1 digest (EVALSHA), loaded on demand.
/// </summary>
/// <remarks>
/// The script cache is per server and is emptied by SCRIPT FLUSH and by a restart (redis.io, "Scripting with
/// Lua": scripts must be treated as volatile), so a NOSCRIPT reply is answered by SCRIPT LOAD and one retry
/// rather than by sending the full source every time.
/// </remarks>
public sealed class RedisScript
{
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    /// <summary>Lower-case hex SHA1 of the UTF-8 source, as SCRIPT LOAD reports it.</summary>
    public string Sha1 { get; }

    /// <summary>Runs the script with EVALSHA, loading it first if the server does not know it.</summary>
    public async Task<RedisReply> EvaluateAsync(RedisClient client, IReadOnlyList<string> keys, IReadOnlyList<RedisValue> args,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            return await client.EvalShaAsync(Sha1, keys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.ErrorCode == "NOSCRIPT")
        {
            string loaded = await client.ScriptLoadAsync(Source, cancellationToken).ConfigureAwait(false);
            if (loaded != Sha1)
                throw new RedisProtocolException($"SCRIPT LOAD returned digest {loaded} but the script's SHA1 is {Sha1}.");
            return await client.EvalShaAsync(Sha1, keys, args, cancellationToken).ConfigureAwait(false);
        }
    }
}
