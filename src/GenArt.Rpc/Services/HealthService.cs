using System.Collections.Concurrent;
using System.Threading.Channels;
using GenArt.Rpc.Server;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;

namespace GenArt.Rpc.Services;

/// <summary>
/// grpc.health.v1.Health. Status per service name; "" is the whole server (SERVING by default).
/// Check: NOT_FOUND for an unknown service. Watch: the current status (SERVICE_UNKNOWN if unknown), then
/// every change, until the client cancels.
/// </summary>
public sealed class HealthService : IRpcService
{
    public const string ServiceName = "grpc.health.v1.Health";

    private readonly ConcurrentDictionary<string, HealthCheckResponse.Types.ServingStatus> _statuses = new();
    private readonly ConcurrentDictionary<Channel<HealthCheckResponse.Types.ServingStatus>, string> _watchers = new();

    public HealthService() => _statuses[""] = HealthCheckResponse.Types.ServingStatus.Serving;

    public ServiceDescriptor Descriptor => HealthReflection.Descriptor.Services[0];

    /// <summary>Sets a service's status and notifies watchers.</summary>
    public void SetStatus(string service, HealthCheckResponse.Types.ServingStatus status)
    {
        _statuses[service] = status;
        Notify(service, status);
    }

    /// <summary>Forgets a service (watchers see SERVICE_UNKNOWN).</summary>
    public void ClearStatus(string service)
    {
        if (_statuses.TryRemove(service, out _))
            Notify(service, HealthCheckResponse.Types.ServingStatus.ServiceUnknown);
    }

    /// <summary>Marks every known service NOT_SERVING (e.g. on shutdown).</summary>
    public void SetAllNotServing()
    {
        foreach (var key in _statuses.Keys) SetStatus(key, HealthCheckResponse.Types.ServingStatus.NotServing);
    }

    private void Notify(string service, HealthCheckResponse.Types.ServingStatus status)
    {
        foreach (var (channel, name) in _watchers)
            if (name == service) channel.Writer.TryWrite(status);
    }

    public void Bind(ServiceBinder binder)
    {
        binder.Unary<HealthCheckRequest, HealthCheckResponse>("Check", (request, _) =>
        {
            if (!_statuses.TryGetValue(request.Service, out var status))
                throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
            return Task.FromResult(new HealthCheckResponse { Status = status });
        });
        binder.ServerStreaming<HealthCheckRequest, HealthCheckResponse>("Watch", WatchAsync);
    }

    private async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> stream, ServerCallContext context)
    {
        var channel = Channel.CreateBounded<HealthCheckResponse.Types.ServingStatus>(
            new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _watchers[channel] = request.Service;
        try
        {
            var current = _statuses.TryGetValue(request.Service, out var s) ? s : HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
            await stream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
            var last = current;
            while (await channel.Reader.WaitToReadAsync(context.CancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var next))
                {
                    if (next == last) continue;
                    last = next;
                    await stream.WriteAsync(new HealthCheckResponse { Status = next }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
