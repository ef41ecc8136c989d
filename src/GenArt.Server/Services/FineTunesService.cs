using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;
using GenArt.Server.Auth;
using GenArt.Server.FineTunes;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Logging;
using JobEvent = GenArt.Jobs.JobEvent;
using JobState = GenArt.Jobs.JobState;

namespace GenArt.Server.Services;

/// <summary>
/// genart.v1.FineTunes: Submit checks a spec and its training images, stores the prepared set where the workers read
/// it and enqueues one fine-tune entry; Watch relays the job's training events until its end, which becomes the
/// call's status; Cancel stops a queued or running fine-tune. A fine-tune is its job: another tenant's, an unknown
/// id and a generation job's id are all NOT_FOUND with the same message.
/// </summary>
public sealed partial class FineTunesService(
    IJobQueue queue, IAdapterStore store, TrainingSets sets, ModelCatalog models, Authenticator auth, ServerMetrics metrics,
    ServerOptions options, ILogger<FineTunesService> logger, TimeProvider? time = null) : IRpcService
{
    private readonly CallGuard _guard = new(metrics, logger);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ServiceDescriptor Descriptor => FineTunesReflection.Descriptor.Services[0];

    public void Bind(ServiceBinder binder) => binder
        .ClientStreaming<FineTunesSubmitRequest, FineTunesSubmitResponse>("Submit", (r, c) => _guard.Run("FineTuneSubmit", c, () => SubmitAsync(r, c)),
            // One image per message: a 40 MP photo is bigger than the default 4 MiB message limit.
            m => m.MaxReceiveMessageSize = MaxImageMessageBytes)
        .ServerStreaming<FineTunesWatchRequest, FineTunesWatchResponse>("Watch", (r, s, c) => _guard.Run("FineTuneWatch", c, () => WatchAsync(r, s, c)))
        .Unary<FineTunesCancelRequest, FineTunesCancelResponse>("Cancel", (r, c) => _guard.Run("FineTuneCancel", c, () => CancelAsync(r, c)));

    /// <summary>Largest single Submit message (one image and its caption).</summary>
    public const int MaxImageMessageBytes = 64 * 1024 * 1024;

    private async Task WatchAsync(FineTunesWatchRequest request, IServerStreamWriter<FineTunesWatchResponse> stream, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var info = await OwnedAsync(request.FineTuneId, tenant, context).ConfigureAwait(false);
        long last = (long)Math.Min(request.AfterSequence, long.MaxValue);
        await foreach (JobEvent e in queue.WatchAsync(info.Id, last, context.CancellationToken).ConfigureAwait(false))
        {
            // At-least-once delivery upstream: a sequence already relayed is a duplicate (docs/queue.md).
            if (e.Sequence <= last) continue;
            last = e.Sequence;
            switch (e.Body)
            {
                case JobCompleted:
                    return;
                case JobFailed failed:
                    throw new RpcException(StatusMapping.ToStatus(failed.Code), $"fine-tune {info.Id} failed: {failed.Message}");
                case JobCancelled:
                    throw new RpcException(StatusCode.Cancelled, $"fine-tune {info.Id} was cancelled");
            }
            if (EventConversion.ToFineTuneWire(e) is { } wire)
                await stream.WriteAsync(wire, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<FineTunesCancelResponse> CancelAsync(FineTunesCancelRequest request, ServerCallContext context)
    {
        string tenant = auth.Tenant(context);
        var info = await OwnedAsync(request.FineTuneId, tenant, context).ConfigureAwait(false);
        if (info.State is not (JobState.Queued or JobState.Running)) return new FineTunesCancelResponse { Cancelled = false };
        var state = await queue.CancelAsync(info.Id, tenant, context.CancellationToken).ConfigureAwait(false);
        bool cancelled = state == JobState.Cancelled;
        // A fine-tune cancelled while queued is never delivered, so no worker will remove its training set: the front
        // end does. One a worker took meanwhile sees the cancellation and removes the folder itself as well.
        if (cancelled && info.State == JobState.Queued) sets.Delete(info.Id.Value);
        return new FineTunesCancelResponse { Cancelled = cancelled };
    }

    /// <summary>The caller's fine-tune; NOT_FOUND, with one message, for an unknown id, another tenant's job or a
    /// generation job.</summary>
    private async Task<JobInfo> OwnedAsync(string text, string tenant, ServerCallContext context)
    {
        if (!JobId.TryParse(text, out var id))
            throw new RpcException(StatusCode.InvalidArgument, $"fine_tune_id: '{text}' is not a fine-tune id");
        var info = await queue.GetJobAsync(id, context.CancellationToken).ConfigureAwait(false);
        if (info is null || info.Tenant != tenant || info.Kind != EntryKind.FineTune)
            throw new RpcException(StatusCode.NotFound, $"fine_tune_id: fine-tune {id} was not found");
        return info;
    }

    private static RpcException Invalid(string field, string rule) => new(StatusCode.InvalidArgument, $"{field}: {rule}");


}
