using System.Security.Cryptography;
using System.Text;

namespace GenArt.Jobs.Redis;

/// <summary>
/// The names of the keys the client side reads directly; the scripts derive the same names from the prefix
/// (Lua/prelude.lua). docs/queue.md, "Redis layout", lists every key.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>The consumer group on every queue stream.</summary>
    internal const string Group = "workers";

    public string Prefix { get; } = prefix;

    public static string Kind(EntryKind kind) => kind.ToString().ToLowerInvariant();

    public static string Priority(JobPriority priority) => priority == JobPriority.Interactive ? "interactive" : "batch";

    public static JobPriority ParsePriority(string text) =>
        text == "interactive" ? JobPriority.Interactive : JobPriority.Batch;

    public string Queue(EntryKind kind, JobPriority priority) => $"{Prefix}q:{Kind(kind)}:{Priority(priority)}";

    public string Wake(EntryKind kind) => $"{Prefix}q:{Kind(kind)}:wake";

    public string Job(JobId id) => $"{Prefix}job:{id.Value}";

    public string Events(JobId id) => $"{Prefix}job:{id.Value}:events";

    public string RelayWake(string relayId, int loop) => $"{Prefix}relay:{relayId}:{loop}";

    /// <summary>A tenant's idempotency key: hashed, so tenants never collide and long keys stay short.</summary>
    public string Idempotency(string tenant, string key) =>
        $"{Prefix}idem:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant + "\n" + key)))}";
}
