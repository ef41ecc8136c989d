using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using GenArt.Server.Adapters;
using GenArt.Server.Auth;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using AdapterWire = GenArt.Api.V1.Adapter;

namespace GenArt.Server.Services;

/// <summary>
/// genart.v1.Adapters: a tenant's LoRA registry. Upload streams a file to the data directory while hashing it,
/// checks it against the named base model, then registers it and places it at its content address; List, Get and
/// Delete act on the caller's own adapters only, and another tenant's adapter is NOT_FOUND exactly like a missing one.
/// </summary>
public sealed partial class AdaptersService(
    IAdapterStore store, AdapterFiles files, ModelCatalog models, Authenticator auth, ServerMetrics metrics, ServerOptions options,
    ILogger<AdaptersService> logger, IAdapterInspector? inspector = null, TimeProvider? time = null) : IRpcService
{
    private readonly CallGuard _guard = new(metrics, logger);
    private const int MaxDescription = 1000;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ServiceDescriptor Descriptor => AdaptersReflection.Descriptor.Services[0];

    public void Bind(ServiceBinder binder) => binder
        .ClientStreaming<AdaptersUploadRequest, AdaptersUploadResponse>("Upload", (r, c) => _guard.Run("AdapterUpload", c, () => UploadAsync(r, c)))
        .Unary<AdaptersListRequest, AdaptersListResponse>("List", (r, c) => _guard.Run("AdapterList", c, () => ListAsync(r, c)))
        .Unary<AdaptersGetRequest, AdaptersGetResponse>("Get", (r, c) => _guard.Run("AdapterGet", c, () => GetAsync(r, c)))
        .Unary<AdaptersDeleteRequest, AdaptersDeleteResponse>("Delete", (r, c) => _guard.Run("AdapterDelete", c, () => DeleteAsync(r, c)));

    private async Task<AdaptersListResponse> ListAsync(AdaptersListRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var response = new AdaptersListResponse();
        foreach (var record in await store.ListAsync(tenant, context.CancellationToken).ConfigureAwait(false))
        {
            if (request.BaseModel.Length == 0 || record.BaseModel == request.BaseModel) response.Adapters.Add(ToWire(record));
        }
        return response;
    }

    private async Task<AdaptersGetResponse> GetAsync(AdaptersGetRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        return new AdaptersGetResponse { Adapter = ToWire(await OwnedAsync(tenant, request.Name, context).ConfigureAwait(false)) };
    }

    private async Task<AdaptersDeleteResponse> DeleteAsync(AdaptersDeleteRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var record = await OwnedAsync(tenant, request.Name, context).ConfigureAwait(false);
        // A concurrent delete of the same record may win: the caller then learns it is gone, like any missing name.
        if (!await store.DeleteAsync(tenant, record.Name, context.CancellationToken).ConfigureAwait(false)) throw NotFound(record.Name);
        await files.RemoveIfUnreferencedAsync(record.Sha256, store, CancellationToken.None).ConfigureAwait(false);
        return new AdaptersDeleteResponse();
    }

    /// <summary>The caller's adapter; NOT_FOUND for a missing name and for another tenant's, with the same message.</summary>
    private async Task<AdapterRecord> OwnedAsync(string tenant, string name, ServerCallContext context)
    {
        CheckName(name);
        return await store.GetAsync(tenant, name, context.CancellationToken).ConfigureAwait(false) ?? throw NotFound(name);
    }

    internal static RpcException NotFound(string name) => new(StatusCode.NotFound, $"name: adapter '{name}' was not found");

    internal static void CheckName(string name, string field = "name")
    {
        if (AdapterNaming.Problem(name) is string problem) throw new RpcException(StatusCode.InvalidArgument, $"{field}: {problem}");
    }

    internal static AdapterWire ToWire(AdapterRecord r) => new()
    {
        Name = r.Name, Format = AdapterFormat.Safetensors, BaseModel = r.BaseModel, SizeBytes = (ulong)r.SizeBytes, Sha256 = r.Sha256,
        CreatedAt = Timestamp.FromDateTimeOffset(r.CreatedAt), Source = AdapterSource.Uploaded, Rank = (uint)r.Rank,
        Description = r.Description, Alpha = (float)r.Alpha, TargetCount = (uint)r.TargetCount, Layout = r.Format,
    };

}
