using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenArt.Server.Auth;

/// <summary>One stored key: never the key itself, only its salted SHA-256.</summary>
public sealed record ApiKeyRecord(string Id, string Tenant, string Salt, string Hash, DateTimeOffset CreatedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<ApiKeyRecord>))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;

/// <summary>
/// API keys in <c>keys.json</c> of the data directory, each bound to a tenant. A key reads
/// <c>ga_&lt;id&gt;_&lt;secret&gt;</c>: the id finds the record, the secret is checked against SHA-256(salt || secret)
/// with a constant-time compare, so neither the file nor the timing of a check reveals a key.
/// </summary>
/// <remarks>
/// The file is re-read when its modification time changes, so <c>genart keys create</c> takes effect on a running
/// server without a restart.
/// </remarks>
public sealed class ApiKeyStore
{
    /// <summary>The keys file's name inside the data directory.</summary>
    public const string FileName = "keys.json";

    private const string Prefix = "ga_";
    private readonly string _path;
    private readonly Lock _gate = new();
    private Dictionary<string, ApiKeyRecord> _byId = [];
    private DateTime _loadedStamp = DateTime.MinValue;

    public ApiKeyStore(string dataDirectory) => _path = Path.Combine(dataDirectory, FileName);

    /// <summary>The keys file.</summary>
    public string FilePath => _path;

    /// <summary>Creates a key for <paramref name="tenant"/>, stores its hash and returns the key (shown once).</summary>
    public string Create(string tenant)
    {
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 64 || !tenant.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException("tenant must be 1-64 characters of letters, digits, '-', '_' or '.'", nameof(tenant));
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        var record = new ApiKeyRecord(id, tenant, Convert.ToBase64String(salt), Convert.ToBase64String(Hash(salt, secret)), DateTimeOffset.UtcNow);
        lock (_gate)
        {
            var all = Read();
            all.Add(record);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            // Write then rename, so a reading server never sees half a file.
            string temp = _path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(all, KeysJsonContext.Default.ListApiKeyRecord));
            File.Move(temp, _path, overwrite: true);
        }
        return $"{Prefix}{id}_{secret}";
    }

    /// <summary>The tenant of a valid key, or null.</summary>
    public string? Authenticate(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        int sep = key.IndexOf('_', Prefix.Length);
        if (sep < 0) return null;
        string id = key[Prefix.Length..sep], secret = key[(sep + 1)..];
        ApiKeyRecord? record;
        lock (_gate)
        {
            Refresh();
            record = _byId.GetValueOrDefault(id);
        }
        if (record is null) return null;
        byte[] expected = Convert.FromBase64String(record.Hash);
        byte[] actual = Hash(Convert.FromBase64String(record.Salt), secret);
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? record.Tenant : null;
    }

    private void Refresh()
    {
        var stamp = File.Exists(_path) ? File.GetLastWriteTimeUtc(_path) : DateTime.MinValue;
        if (stamp == _loadedStamp) return;
        _byId = Read().ToDictionary(r => r.Id, StringComparer.Ordinal);
        _loadedStamp = stamp;
    }

    private List<ApiKeyRecord> Read()
    {
        if (!File.Exists(_path)) return [];
        return JsonSerializer.Deserialize(File.ReadAllText(_path), KeysJsonContext.Default.ListApiKeyRecord) ?? [];
    }

    private static byte[] Hash(byte[] salt, string secret)
    {
        byte[] data = [.. salt, .. Encoding.UTF8.GetBytes(secret)];
        return SHA256.HashData(data);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
