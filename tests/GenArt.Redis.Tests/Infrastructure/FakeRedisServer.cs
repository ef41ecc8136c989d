using System.Net;
using System.Net.Sockets;

namespace GenArt.Redis.Tests.Infrastructure;

/// <summary>A loopback TCP server that misbehaves on purpose: each accepted connection runs <c>behaviour</c>.</summary>
internal sealed class FakeRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;

    public FakeRedisServer(Func<NetworkStream, CancellationToken, Task> behaviour)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_clients) _clients.Add(client);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await behaviour(client.GetStream(), _stop.Token);
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                        {
                            // The client went away or the test ended.
                        }
                    });
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Stopped: cancelling and closing the listener race, and either may end the accept, in several ways.
            }
        });
    }

    public int Port { get; }

    public RedisOptions Options() => new() { Host = "127.0.0.1", Port = Port };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        lock (_clients)
        {
            foreach (var client in _clients) client.Dispose();
        }
        _stop.Dispose();
    }
}
