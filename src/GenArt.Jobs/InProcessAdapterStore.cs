using System.Text.Json;
using System.Text.Json.Serialization;

namespace GenArt.Jobs;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<AdapterRecord>))]
internal sealed partial class AdapterJsonContext : JsonSerializerContext;

/// <summary>
/// The embedded (single-box) adapter registry: every record in memory, persisted to
/// <c>{data}/adapters/registry.json</c> after each change so that a restart keeps the registrations.
/// </summary>
/// <remarks>
/// A change is written to a temporary file in the same directory, flushed to disk and renamed over the registry, so
/// a crash leaves either the old or the new file, never half of one. The in-memory state changes only after the
/// write succeeded: a failed write leaves the store as it was. One process owns the file.
/// </remarks>
public sealed class InProcessAdapterStore : IAdapterStore
{
    /// <summary>The registry's file name inside <c>{data}/adapters</c>.</summary>
    public const string FileName = "registry.json";

    private readonly Lock _gate = new();
    private Dictionary<(string Tenant, string Name), AdapterRecord> _records;

    /// <summary>Opens (or starts) the registry of <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="InvalidDataException">The registry file exists but cannot be read.</exception>
    public InProcessAdapterStore(string dataDirectory)
    {
        FilePath = Path.Combine(Path.GetFullPath(dataDirectory), "adapters", FileName);
        _records = Load(FilePath).ToDictionary(r => (r.Tenant, r.Name));
    }

    /// <summary>The registry file.</summary>
    public string FilePath { get; }

    public Task<bool> TryAddAsync(AdapterRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        AdapterNaming.ThrowIfInvalid(record.Tenant, record.Name);
        if (!AdapterNaming.IsSha256(record.Sha256)) throw new ArgumentException("sha256 must be 64 lower-case hex digits", nameof(record));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_records.ContainsKey((record.Tenant, record.Name))) return Task.FromResult(false);
            Commit(new Dictionary<(string, string), AdapterRecord>(_records) { [(record.Tenant, record.Name)] = record });
        }
        return Task.FromResult(true);
    }

    public Task<AdapterRecord?> GetAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_records.GetValueOrDefault((tenant, name)));
    }

    public Task<IReadOnlyList<AdapterRecord>> ListAsync(string tenant, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<AdapterRecord> list = _records.Values.Where(r => r.Tenant == tenant)
                .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
            return Task.FromResult(list);
        }
    }

    public Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_records.ContainsKey((tenant, name))) return Task.FromResult(false);
            var next = new Dictionary<(string, string), AdapterRecord>(_records);
            next.Remove((tenant, name));
            Commit(next);
        }
        return Task.FromResult(true);
    }

    public Task<bool> IsReferencedAsync(string sha256, CancellationToken cancellationToken = default)
    {
        lock (_gate) return Task.FromResult(_records.Values.Any(r => r.Sha256 == sha256));
    }

    /// <summary>Writes <paramref name="next"/> to disk, then makes it the current state. Called under the lock.</summary>
    private void Commit(Dictionary<(string Tenant, string Name), AdapterRecord> next)
    {
        var list = next.Values.OrderBy(r => r.Tenant, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        string directory = Path.GetDirectoryName(FilePath)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, list, AdapterJsonContext.Default.ListAdapterRecord);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, FilePath, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // no-op after a successful rename
        }
        _records = next;
    }

    private static List<AdapterRecord> Load(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, AdapterJsonContext.Default.ListAdapterRecord) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the adapter registry {path} is not valid JSON: {e.Message}", e);
        }
    }
}
