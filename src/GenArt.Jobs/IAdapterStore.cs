namespace GenArt.Jobs;

/// <summary>
/// A registered LoRA adapter: who owns it, what it is, and the content address of its file.
/// </summary>
/// <param name="Tenant">Owning tenant; no other tenant can see or use it.</param>
/// <param name="Name">Name unique within the tenant (validated by the registry's naming rule).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the safetensors file; the file lives at
/// <c>{data}/adapters/{Sha256}.safetensors</c>.</param>
/// <param name="SizeBytes">File size.</param>
/// <param name="Format">Key layout the file was written in: "kohya", "diffusers" or "peft".</param>
/// <param name="BaseModel">Name of the base model the adapter was validated against.</param>
/// <param name="Rank">Largest rank among its layers.</param>
/// <param name="Alpha">Alpha of its layers (rank when the file has none).</param>
/// <param name="TargetCount">Number of adapted layers.</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="Description">Free text from the uploader; empty for none.</param>
public sealed record AdapterRecord(
    string Tenant,
    string Name,
    string Sha256,
    long SizeBytes,
    string Format,
    string BaseModel,
    int Rank,
    double Alpha,
    int TargetCount,
    DateTimeOffset CreatedAt,
    string Description);

/// <summary>
/// Ownership and metadata of registered adapters, kept in the queue's store (in process, or Redis) so that every
/// front end and worker sees the same registry. The files themselves are content-addressed in the data directory.
/// </summary>
public interface IAdapterStore
{
    /// <summary>Registers <paramref name="record"/>; false (and nothing changes) when the tenant already has the name.</summary>
    Task<bool> TryAddAsync(AdapterRecord record, CancellationToken cancellationToken = default);

    /// <summary>The tenant's adapter of that name, or null when there is none (including another tenant's).</summary>
    Task<AdapterRecord?> GetAsync(string tenant, string name, CancellationToken cancellationToken = default);

    /// <summary>The tenant's adapters, ordered by name.</summary>
    Task<IReadOnlyList<AdapterRecord>> ListAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Removes the tenant's adapter; false when the tenant has none of that name.</summary>
    Task<bool> DeleteAsync(string tenant, string name, CancellationToken cancellationToken = default);

    /// <summary>True when any tenant's adapter still refers to the file, so a delete must keep it.</summary>
    Task<bool> IsReferencedAsync(string sha256, CancellationToken cancellationToken = default);
}
