using System.Globalization;
using GenArt.Redis;

namespace GenArt.Jobs;

/// <summary>
/// The adapter registry in Redis, shared by every front end and worker that uses the same server and key prefix.
/// </summary>
/// <remarks>
/// Keys (prefix <c>genart:</c> by default):
/// <list type="bullet">
/// <item><c>{prefix}adapter:{tenant}:{name}</c>: a hash with the record's fields.</item>
/// <item><c>{prefix}adapters:{tenant}</c>: a set of the tenant's adapter names (the explicit index List reads; the
/// keyspace is never scanned).</item>
/// <item><c>{prefix}adapter-refs:{sha256}</c>: a set of <c>{tenant}:{name}</c> for every record naming the file.</item>
/// </list>
/// Tenant ids cannot contain ':' and names cannot either (<see cref="AdapterNaming"/>), so keys never collide.
/// Adding and deleting touch all three keys in one Lua script, which Redis runs atomically, and every key a script
/// touches is passed in KEYS (redis.io, "Scripting with Lua": scripts must declare the keys they access).
/// </remarks>
public sealed class RedisAdapterStore : IAdapterStore
{
    /// <summary>The default key prefix, shared with the Redis job queue.</summary>
    public const string DefaultPrefix = "genart:";

    // KEYS: record hash, tenant index, refs set. ARGV: name, refs member, then field/value pairs.
    private static readonly RedisScript AddScript = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('SADD', KEYS[2], ARGV[1])
        redis.call('SADD', KEYS[3], ARGV[2])
        return 1
        """);

    // KEYS: record hash, tenant index, refs set of the sha read before. ARGV: name, refs member, that sha.
    // 0: no such record; -1: the record changed to another file since it was read (the caller reads again).
    private static readonly RedisScript DeleteScript = new("""
        local sha = redis.call('HGET', KEYS[1], 'sha256')
        if not sha then return 0 end
        if sha ~= ARGV[3] then return -1 end
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[1])
        redis.call('SREM', KEYS[3], ARGV[2])
        return 1
        """);

    private readonly RedisClient _redis;
    private readonly string _prefix;

    /// <summary>A store over <paramref name="redis"/> (not owned: the caller disposes it) under <paramref name="prefix"/>.</summary>
    public RedisAdapterStore(RedisClient redis, string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(prefix);
        _redis = redis;
        _prefix = prefix;
    }

    public async Task<bool> TryAddAsync(AdapterRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        AdapterNaming.ThrowIfInvalid(record.Tenant, record.Name);
        if (!AdapterNaming.IsSha256(record.Sha256)) throw new ArgumentException("sha256 must be 64 lower-case hex digits", nameof(record));
        var args = new List<RedisValue> { record.Name, Member(record.Tenant, record.Name) };
        foreach (var (field, value) in Fields(record))
        {
            args.Add(field);
            args.Add(value);
        }
        var reply = await AddScript.EvaluateAsync(_redis,
            [RecordKey(record.Tenant, record.Name), IndexKey(record.Tenant), RefsKey(record.Sha256)], args, cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() == 1;
    }

    public async Task<AdapterRecord?> GetAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        if (!AdapterNaming.IsValidTenant(tenant) || !AdapterNaming.IsValid(name)) return null;
        var hash = await _redis.HGetAllAsync(RecordKey(tenant, name), cancellationToken).ConfigureAwait(false);
        return hash.Count == 0 ? null : Parse(hash);
    }

    public async Task<IReadOnlyList<AdapterRecord>> ListAsync(string tenant, CancellationToken cancellationToken = default)
    {
        if (!AdapterNaming.IsValidTenant(tenant)) return [];
        var names = await _redis.ExecuteAsync("SMEMBERS", [IndexKey(tenant)], cancellationToken).ConfigureAwait(false);
        // Pipelined reads; a record deleted between the two steps reads as empty and is left out.
        var reads = names.Elements.Select(n => _redis.HGetAllAsync(RecordKey(tenant, n.ToString()), cancellationToken)).ToList();
        var hashes = await Task.WhenAll(reads).ConfigureAwait(false);
        return hashes.Where(h => h.Count > 0).Select(Parse).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        if (!AdapterNaming.IsValidTenant(tenant) || !AdapterNaming.IsValid(name)) return false;
        while (true)
        {
            var sha = await _redis.HGetAsync(RecordKey(tenant, name), "sha256", cancellationToken).ConfigureAwait(false);
            if (sha.IsNull) return false;
            var reply = await DeleteScript.EvaluateAsync(_redis,
                [RecordKey(tenant, name), IndexKey(tenant), RefsKey(sha.ToString())],
                [name, Member(tenant, name), sha], cancellationToken).ConfigureAwait(false);
            long result = reply.ToInt64();
            if (result >= 0) return result == 1;
        }
    }

    public async Task<bool> IsReferencedAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var reply = await _redis.ExecuteAsync("SCARD", [RefsKey(sha256)], cancellationToken).ConfigureAwait(false);
        return reply.ToInt64() > 0;
    }

    private string RecordKey(string tenant, string name) => $"{_prefix}adapter:{tenant}:{name}";

    private string IndexKey(string tenant) => $"{_prefix}adapters:{tenant}";

    private string RefsKey(string sha256) => $"{_prefix}adapter-refs:{sha256}";

    private static string Member(string tenant, string name) => $"{tenant}:{name}";

    private static IEnumerable<(string Field, RedisValue Value)> Fields(AdapterRecord r)
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("tenant", r.Tenant);
        yield return ("name", r.Name);
        yield return ("sha256", r.Sha256);
        yield return ("size_bytes", r.SizeBytes.ToString(c));
        yield return ("format", r.Format);
        yield return ("base_model", r.BaseModel);
        yield return ("rank", r.Rank.ToString(c));
        yield return ("alpha", r.Alpha.ToString("R", c));
        yield return ("target_count", r.TargetCount.ToString(c));
        yield return ("created_at", r.CreatedAt.ToString("O", c));
        yield return ("description", r.Description);
    }

    private static AdapterRecord Parse(Dictionary<string, RedisValue> h)
    {
        var c = CultureInfo.InvariantCulture;
        string S(string field) => h.TryGetValue(field, out var v) && !v.IsNull ? v.ToString()
            : throw new InvalidDataException($"adapter record {h.GetValueOrDefault("tenant")}:{h.GetValueOrDefault("name")} has no '{field}' field");
        return new AdapterRecord(
            S("tenant"), S("name"), S("sha256"), long.Parse(S("size_bytes"), c), S("format"), S("base_model"),
            int.Parse(S("rank"), c), double.Parse(S("alpha"), c), int.Parse(S("target_count"), c),
            DateTimeOffset.Parse(S("created_at"), c, DateTimeStyles.RoundtripKind), S("description"));
    }
}
