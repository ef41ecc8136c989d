using System.Collections.Concurrent;
using System.Threading.Channels;
using GenArt.Rpc.Server;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Microsoft.Extensions.Hosting;

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

    private readonly CancellationToken _stopping;

    /// <param name="lifetime">When given, every status turns NOT_SERVING as the host starts stopping, and open
    /// Watch streams then end (OK), so they do not hold up a graceful shutdown.</param>
    public HealthService(IHostApplicationLifetime? lifetime = null)
    {
        _statuses[""] = HealthCheckResponse.Types.ServingStatus.Serving;
        if (lifetime is not null)
        {
            lifetime.ApplicationStopping.Register(SetAllNotServing);
            _stopping = lifetime.ApplicationStopping;
        }
    }

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
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping);
        var last = HealthCheckResponse.Types.ServingStatus.Unknown;
        try
        {
            var current = _statuses.TryGetValue(request.Service, out var s) ? s : HealthCheckResponse.Types.ServingStatus.ServiceUnknown;
            await stream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
            last = current;
            while (await channel.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var next))
                {
                    if (next == last) continue;
                    last = next;
                    await stream.WriteAsync(new HealthCheckResponse { Status = next }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // Host shutting down: everything is NOT_SERVING now (whichever stopping callback ran first); say so,
            // then end the stream normally.
            if (last != HealthCheckResponse.Types.ServingStatus.NotServing)
                await stream.WriteAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.NotServing },
                    context.CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _watchers.TryRemove(channel, out _);
        }
    }
}
