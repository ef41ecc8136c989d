using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    private Task? _reconnectLoop;

    private void Install(RedisConnection connection)
    {
        lock (_stateLock)
        {
            _current = connection;
            _connectionCount++;
            _connected.TrySetResult();
        }
        // A fault between the handshake and this point was not reported to us; handle it the same way.
        if (connection.IsFaulted) OnConnectionFault(connection, ExceptionFactory.ClosedDuringSetup(_options.EndPoint, null));
    }

    private void OnConnectionFault(RedisConnection connection, Exception error)
    {
        lock (_stateLock)
        {
            if (!ReferenceEquals(_current, connection)) return;
            _current = null;
            _lastError = error;
            if (_connected.Task.IsCompleted) _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_disposed.IsCancellationRequested) return;
            _reconnectLoop = Task.Run(ReconnectLoopAsync);
        }
        Raise(ConnectionFailed, new RedisConnectionEventArgs(_options.EndPoint, error));
    }

    /// <summary>Handlers run on the pool, so a slow or throwing handler cannot stall or break the connection's loops or timer.</summary>
    private void Raise(EventHandler<RedisConnectionEventArgs>? handler, RedisConnectionEventArgs args)
    {
        if (handler is not null) _ = Task.Run(() => handler(this, args));
    }

    /// <summary>
    /// Retries at once, then with exponential backoff and jitter, until a connection is made or the client is disposed.
    /// </summary>
    private async Task ReconnectLoopAsync()
    {
        var stop = _disposed.Token;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            try
            {
                if (attempt > 0)
                {
                    TimeSpan delay;
                    lock (_jitter) delay = Backoff.Delay(attempt - 1, _options.ReconnectBaseDelay, _options.ReconnectMaxDelay, _jitter);
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                var connection = await RedisConnection.ConnectAsync(_options, "interactive", OnConnectionFault, stop).ConfigureAwait(false);
                lock (_stateLock)
                {
                    if (stop.IsCancellationRequested)
                    {
                        connection.Dispose();
                        return;
                    }
                    if (connection.IsFaulted) continue;
                    _current = connection;
                    _connectionCount++;
                    _connected.TrySetResult();
                }
                Raise(ConnectionRestored, new RedisConnectionEventArgs(_options.EndPoint, null));
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever failed, the loop must go on: giving up here would leave the client down for good.
                Volatile.Write(ref _lastError, e);
            }
        }
    }
}
