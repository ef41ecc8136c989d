using System.Security.Cryptography;
using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using GenArt.Server.Adapters;

namespace GenArt.Server.Services;

public sealed partial class AdaptersService
{
    /// <summary>
    /// Metadata first (checked before any byte is stored), then the chunks, streamed to a temporary file while the
    /// SHA-256 and size are taken; the engine then checks the file against the base model. Only then is the record
    /// added and the file moved to its content address. Every refusal removes the temporary file and adds no record.
    /// </summary>
    private async Task<AdaptersUploadResponse> UploadAsync(IAsyncStreamReader<AdaptersUploadRequest> requests, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var ct = context.CancellationToken;
        if (!await requests.MoveNext(ct).ConfigureAwait(false))
            throw Invalid("metadata", "the upload is empty; the first message must carry the metadata");
        if (requests.Current.PayloadCase != AdaptersUploadRequest.PayloadOneofCase.Metadata)
            throw Invalid("metadata", "must be the first message of an upload");
        var meta = requests.Current.Metadata;
        var upload = CheckMetadata(meta);
        if (await store.GetAsync(tenant, meta.Name, ct).ConfigureAwait(false) is not null) throw Exists(meta.Name);

        string? incoming = null;
        try
        {
            string sha256;
            long size;
            await using (var file = files.CreateIncoming())
            {
                incoming = file.Name;
                (sha256, size) = await ReceiveAsync(requests, file, ct).ConfigureAwait(false);
            }
            if (upload.DeclaredSize is ulong declared && declared != (ulong)size)
                throw Invalid("size_bytes", $"declared {declared} bytes, but {size} arrived");
            if (upload.DeclaredSha256 is string expected && expected != sha256)
                throw Invalid("sha256", $"declared {expected}, but the bytes that arrived hash to {sha256}");

            var inspection = await InspectAsync(incoming, upload.BaseModel).ConfigureAwait(false);
            var record = new AdapterRecord(tenant, meta.Name, sha256, size, inspection.Layout, upload.BaseModel, inspection.Rank,
                inspection.Alpha, inspection.TargetCount, _time.GetUtcNow(), meta.Description);
            if (!await store.TryAddAsync(record, CancellationToken.None).ConfigureAwait(false)) throw Exists(meta.Name);
            try
            {
                files.Place(incoming, sha256);
            }
            catch
            {
                await store.DeleteAsync(tenant, meta.Name, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            return new AdaptersUploadResponse { Adapter = ToWire(record) };
        }
        finally
        {
            if (incoming is not null) AdapterFiles.DeleteQuietly(incoming); // nothing to delete once placed
        }
    }

    private sealed record UploadPlan(string BaseModel, ulong? DeclaredSize, string? DeclaredSha256);

    private UploadPlan CheckMetadata(AdapterUploadMetadata meta)
    {
        CheckName(meta.Name);
        if (meta.Format is not (AdapterFormat.Unspecified or AdapterFormat.Safetensors))
            throw Invalid("format", $"only safetensors adapters are accepted, got {meta.Format}");
        string baseModel = meta.BaseModel.Length > 0 ? meta.BaseModel
            : models.Default?.Name ?? throw new RpcException(StatusCode.FailedPrecondition, "base_model: this server has no models");
        if (models.Find(baseModel) is null)
            throw new RpcException(StatusCode.NotFound,
                $"base_model: '{baseModel}' is not a model of this server; known: {string.Join(", ", models.All.Select(m => m.Name))}");
        if (meta.Description.Length > MaxDescription)
            throw Invalid("description", $"must be at most {MaxDescription} characters, got {meta.Description.Length}");
        string? sha = null;
        if (meta.Sha256.Length > 0)
        {
            sha = meta.Sha256.ToLowerInvariant();
            if (!AdapterNaming.IsSha256(sha)) throw Invalid("sha256", "must be 64 hex digits");
        }
        if (meta.HasSizeBytes && meta.SizeBytes > (ulong)options.MaxAdapterBytes) throw TooLarge("size_bytes");
        if (inspector is null)
            throw new RpcException(StatusCode.FailedPrecondition, "this server cannot check adapters against its models, so it takes no uploads");
        return new UploadPlan(baseModel, meta.HasSizeBytes ? meta.SizeBytes : null, sha);
    }

    private async Task<(string Sha256, long Size)> ReceiveAsync(IAsyncStreamReader<AdaptersUploadRequest> requests, FileStream file, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        while (await requests.MoveNext(ct).ConfigureAwait(false))
        {
            var message = requests.Current;
            if (message.PayloadCase == AdaptersUploadRequest.PayloadOneofCase.Metadata)
                throw Invalid("metadata", "only the first message of an upload may carry metadata");
            var chunk = message.Chunk.Memory;
            size += chunk.Length;
            // Checked before writing, so no more than the cap ever reaches the disk.
            if (size > options.MaxAdapterBytes) throw TooLarge("chunk");
            hash.AppendData(chunk.Span);
            await file.WriteAsync(chunk, ct).ConfigureAwait(false);
        }
        if (size == 0) throw Invalid("chunk", "the upload carried no file bytes");
        await file.FlushAsync(ct).ConfigureAwait(false);
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    private async Task<AdapterInspection> InspectAsync(string path, string baseModel)
    {
        try
        {
            // Reads headers from disk: off the request's thread.
            return await Task.Run(() => inspector!.Inspect(path, baseModel)).ConfigureAwait(false);
        }
        catch (AdapterRejectedException e)
        {
            throw Invalid("file", $"not a LoRA adapter for base model '{baseModel}': {e.Message}");
        }
        catch (NotSupportedException e)
        {
            throw new RpcException(StatusCode.FailedPrecondition, $"base_model: adapters for '{baseModel}' cannot be checked here: {e.Message}");
        }
    }

    private RpcException TooLarge(string field) => new(StatusCode.ResourceExhausted,
        $"{field}: the adapter is larger than this server's upload cap of {Describe(options.MaxAdapterBytes)} ({options.MaxAdapterBytes} bytes)");

    private static RpcException Invalid(string field, string rule) => new(StatusCode.InvalidArgument, $"{field}: {rule}");

    private static RpcException Exists(string name) => new(StatusCode.AlreadyExists, $"name: you already have an adapter named '{name}'");

    private static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} bytes";
}
