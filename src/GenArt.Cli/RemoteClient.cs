using GenArt.Api.V1;
using GenArt.Rpc;
using GenArt.Rpc.Client;

namespace GenArt.Cli;

/// <summary>The genart.v1 methods over one <see cref="RpcChannel"/>, with the caller's API key on every call.</summary>
public sealed class RemoteClient(string server, string? apiKey) : IDisposable
{
    public static readonly RpcMethod<GenerateRequest, JobEvent> Generate = RpcMethod.ServerStreaming<GenerateRequest, JobEvent>("genart.v1.Generation", "Generate");
    public static readonly RpcMethod<WatchJobRequest, JobEvent> Watch = RpcMethod.ServerStreaming<WatchJobRequest, JobEvent>("genart.v1.Generation", "WatchJob");
    public static readonly RpcMethod<CancelJobRequest, CancelJobResponse> Cancel = RpcMethod.Unary<CancelJobRequest, CancelJobResponse>("genart.v1.Generation", "CancelJob");
    public static readonly RpcMethod<GetJobRequest, GetJobResponse> Get = RpcMethod.Unary<GetJobRequest, GetJobResponse>("genart.v1.Generation", "GetJob");
    public static readonly RpcMethod<ListModelsRequest, ListModelsResponse> ListModels = RpcMethod.Unary<ListModelsRequest, ListModelsResponse>("genart.v1.Models", "ListModels");
    public static readonly RpcMethod<AdaptersUploadRequest, AdaptersUploadResponse> UploadAdapter = RpcMethod.ClientStreaming<AdaptersUploadRequest, AdaptersUploadResponse>("genart.v1.Adapters", "Upload");
    public static readonly RpcMethod<AdaptersListRequest, AdaptersListResponse> ListAdapters = RpcMethod.Unary<AdaptersListRequest, AdaptersListResponse>("genart.v1.Adapters", "List");
    public static readonly RpcMethod<AdaptersGetRequest, AdaptersGetResponse> GetAdapter = RpcMethod.Unary<AdaptersGetRequest, AdaptersGetResponse>("genart.v1.Adapters", "Get");
    public static readonly RpcMethod<AdaptersDeleteRequest, AdaptersDeleteResponse> DeleteAdapter = RpcMethod.Unary<AdaptersDeleteRequest, AdaptersDeleteResponse>("genart.v1.Adapters", "Delete");

    public static readonly RpcMethod<FineTunesSubmitRequest, FineTunesSubmitResponse> SubmitFineTune = RpcMethod.ClientStreaming<FineTunesSubmitRequest, FineTunesSubmitResponse>("genart.v1.FineTunes", "Submit");
    public static readonly RpcMethod<FineTunesWatchRequest, FineTunesWatchResponse> WatchFineTune = RpcMethod.ServerStreaming<FineTunesWatchRequest, FineTunesWatchResponse>("genart.v1.FineTunes", "Watch");
    public static readonly RpcMethod<FineTunesCancelRequest, FineTunesCancelResponse> CancelFineTune = RpcMethod.Unary<FineTunesCancelRequest, FineTunesCancelResponse>("genart.v1.FineTunes", "Cancel");

    /// <summary>The channel; host:port means h2c, a URL is used as given.</summary>
    public RpcChannel Channel { get; } = RpcChannel.ForAddress(server.Contains("://", StringComparison.Ordinal) ? server : "http://" + server,
        new RpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });

    /// <summary>Call options carrying the key.</summary>
    public CallOptions Options(CancellationToken cancellationToken = default, DateTime? deadline = null) => new()
    {
        Headers = apiKey is null ? null : new Metadata { { "authorization", "Bearer " + apiKey } },
        CancellationToken = cancellationToken,
        Deadline = deadline,
    };

    public void Dispose() => Channel.Dispose();

    /// <summary>The key from --api-key or GENART_API_KEY.</summary>
    public static string? KeyFrom(string? option) => option ?? Environment.GetEnvironmentVariable("GENART_API_KEY");
}
