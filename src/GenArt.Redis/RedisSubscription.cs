using System.Threading.Channels;
using GenArt.Redis.Internal;

namespace GenArt.Redis;

/// <summary>
/// A SUBSCRIBE/PSUBSCRIBE on a connection of its own; messages are read from <see cref="Messages"/>.
/// </summary>
/// <remarks>
/// Pub/Sub is fire-and-forget: a message published while no connection is subscribed is lost (redis.io,
/// "Pub/Sub", delivery semantics are at-most-once), so use it for hints such as "job cancelled, check its state",
/// never for work that must not be lost (that is what Streams are for). A lost connection is re-established with
/// the client's backoff and every channel and pattern subscribed again. Messages wait in a bounded buffer; when a
/// reader falls more than its capacity behind, the oldest are dropped and counted in <see cref="DroppedMessages"/>.
/// </remarks>
public sealed class RedisSubscription : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly RedisCommand[] _subscribe;
    private readonly Channel<RedisPubSubMessage> _messages;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _stateLock = new();
    private readonly Random _jitter = new();
    private RedisConnection? _connection;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reconnectLoop;
    private long _dropped;
    private int _connectionCount;

    private RedisSubscription(RedisOptions options, IReadOnlyList<string> channels, IReadOnlyList<string> patterns, int capacity)
    {
        _options = options;
        Channels = channels.ToArray();
        Patterns = patterns.ToArray();
        // One command per channel: each gets exactly one confirmation, so replies still match commands in order.
        _subscribe = Channels.Select(c => RedisCommand.Create("SUBSCRIBE", "SUBSCRIBE", c))
            .Concat(Patterns.Select(p => RedisCommand.Create("PSUBSCRIBE", "PSUBSCRIBE", p)))
            .ToArray();
        _messages = Channel.CreateBounded<RedisPubSubMessage>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Published messages, in the order the server sent them.</summary>
    public ChannelReader<RedisPubSubMessage> Messages => _messages.Reader;

    public IReadOnlyList<string> Channels { get; }

    public IReadOnlyList<string> Patterns { get; }

    /// <summary>Messages discarded because the reader fell more than the buffer's capacity behind.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>True while subscribed on a live connection.</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is { IsFaulted: false };

    /// <summary>How many connections have subscribed so far (1 at start, +1 per reconnect).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Raised (on a pool thread) once every channel and pattern is subscribed again after a lost connection.</summary>
    public event EventHandler? Resubscribed;

    /// <summary>Completes once every channel and pattern is subscribed on a live connection.</summary>
    public Task WaitForConnectionAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock) return _connected.Task.WaitAsync(cancellationToken);
    }

    internal static async Task<RedisSubscription> StartAsync(RedisOptions options, IReadOnlyList<string> channels,
        IReadOnlyList<string> patterns, int capacity, CancellationToken cancellationToken)
    {
        if (channels.Count + patterns.Count == 0)
            throw new ArgumentException("A subscription needs at least one channel or pattern.", nameof(channels));
        if (channels.Any(string.IsNullOrEmpty) || patterns.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Channel names and patterns must not be null or empty.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new RedisSubscription(options, channels, patterns, capacity);
        var connection = await subscription.ConnectAndSubscribeAsync(cancellationToken).ConfigureAwait(false);
        subscription.Install(connection);
        return subscription;
    }

    private async Task<RedisConnection> ConnectAndSubscribeAsync(CancellationToken cancellationToken)
    {
        var connection = await RedisConnection.ConnectAsync(_options, "subscriber", OnConnectionFault, cancellationToken,
            message => _messages.Writer.TryWrite(message)).ConfigureAwait(false);
        try
        {
            var replies = await connection.SendBatchAsync(_subscribe, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < replies.Length; i++)
            {
                var reply = await replies[i].ConfigureAwait(false);
                if (reply.IsError) throw new RedisServerException(_subscribe[i].Name, reply.ToString());
                var kind = reply.IsAggregate && reply.Elements.Count == 3 ? reply.Elements[0].ToString() : null;
                if (kind != _subscribe[i].Name.ToLowerInvariant())
                    throw Replies.Unexpected(_subscribe[i].Name, reply, $"a {_subscribe[i].Name.ToLowerInvariant()} confirmation");
            }
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Install(RedisConnection connection)
    {
        lock (_stateLock)
        {
            _connection = connection;
            _connectionCount++;
            _connected.TrySetResult();
        }
        if (connection.IsFaulted) OnConnectionFault(connection, ExceptionFactory.ClosedDuringSetup(_options.EndPoint, null));
    }

    private void OnConnectionFault(RedisConnection connection, Exception error)
    {
        lock (_stateLock)
        {
            if (!ReferenceEquals(_connection, connection)) return;
            _connection = null;
            if (_connected.Task.IsCompleted) _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_disposed.IsCancellationRequested) return;
            _reconnectLoop = Task.Run(ReconnectLoopAsync);
        }
    }

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
                var connection = await ConnectAndSubscribeAsync(stop).ConfigureAwait(false);
                lock (_stateLock)
                {
                    if (stop.IsCancellationRequested)
                    {
                        connection.Dispose();
                        return;
                    }
                    if (connection.IsFaulted) continue;
                    _connection = connection;
                    _connectionCount++;
                    _connected.TrySetResult();
                }
                if (Resubscribed is { } handler) _ = Task.Run(() => handler(this, EventArgs.Empty));
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Redis still down or refusing; the next attempt waits longer. The loop must not end here.
            }
        }
    }

    /// <summary>Closes the connection (which unsubscribes everything) and completes <see cref="Messages"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        RedisConnection? connection;
        lock (_stateLock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            connection = _connection;
            _connection = null;
        }
        connection?.Dispose();
        if (_reconnectLoop is { } loop) await loop.ConfigureAwait(false);
        _messages.Writer.TryComplete();
    }
}
