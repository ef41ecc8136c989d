using GenArt.Redis.Internal;

namespace GenArt.Redis;

/// <summary>
/// A Redis client for many concurrent callers: commands share one pipelined connection, blocking reads
/// get connections of their own, and a lost connection is re-established in the background.
/// </summary>
/// <remarks>
/// Commands are written in call order and answered in that order (redis.io, "Pipelining"), so any number
/// may be in flight at once. While Redis is unreachable every command fails at once with
/// <see cref="RedisConnectionException"/>; nothing is queued for later, so no caller hangs and no write is
/// replayed behind the caller's back. Thread-safe; dispose once at shutdown.
/// </remarks>
public sealed partial class RedisClient : IAsyncDisposable
{
    private readonly RedisOptions _options;
    private readonly Lock _stateLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly Random _jitter = new();
    private RedisConnection? _current;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _lastError;
    private int _connectionCount;

    private RedisClient(RedisOptions options)
    {
        _options = options;
        _blockingSlots = new SemaphoreSlim(options.MaxBlockingConnections, options.MaxBlockingConnections);
    }

    /// <summary>Connects to the server the URI names (see <see cref="RedisOptions.Parse"/>).</summary>
    public static Task<RedisClient> ConnectAsync(string connectionString, CancellationToken cancellationToken = default) =>
        ConnectAsync(RedisOptions.Parse(connectionString), cancellationToken);

    /// <summary>Connects, authenticates and selects the database; fails if the first connection cannot be made.</summary>
    /// <exception cref="RedisConnectionException">Redis is unreachable, refused AUTH, or the setup timed out.</exception>
    public static async Task<RedisClient> ConnectAsync(RedisOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var client = new RedisClient(options.Clone());
        var connection = await RedisConnection.ConnectAsync(client._options, "interactive", client.OnConnectionFault, cancellationToken)
            .ConfigureAwait(false);
        client.Install(connection);
        return client;
    }

    /// <summary>
    /// Creates a client that makes its first connection in the background, for processes that may start before Redis.
    /// Until connected, commands fail fast with <see cref="RedisConnectionException"/>; await
    /// <see cref="WaitForConnectionAsync"/> to wait for the connection.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid setting; the parameter name is the setting.</exception>
    public static RedisClient Create(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var client = new RedisClient(options.Clone());
        lock (client._stateLock)
        {
            client._reconnectLoop = Task.Run(client.ReconnectLoopAsync);
        }
        return client;
    }

    /// <summary>The settings this client was created with (a copy; changing it has no effect).</summary>
    public RedisOptions Options => _options.Clone();

    /// <summary>True while the shared connection is up.</summary>
    public bool IsConnected => Volatile.Read(ref _current) is { IsFaulted: false };

    /// <summary>How many shared connections have been established so far (1 after connecting, +1 per reconnect).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Raised (on a pool thread) when the shared connection is lost; reconnecting has begun.</summary>
    public event EventHandler<RedisConnectionEventArgs>? ConnectionFailed;

    /// <summary>Raised (on a pool thread) when a new shared connection is ready after a loss, or the first one made by <see cref="Create"/>.</summary>
    public event EventHandler<RedisConnectionEventArgs>? ConnectionRestored;

    /// <summary>Completes once the shared connection is up (at once if it is up now).</summary>
    public Task WaitForConnectionAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Runs any command on the shared connection and returns its raw reply.</summary>
    /// <param name="command">The command name, e.g. <c>"OBJECT"</c>; subcommands go in <paramref name="args"/>.</param>
    /// <exception cref="RedisServerException">The server replied with an error.</exception>
    public Task<RedisReply> ExecuteAsync(string command, params RedisValue[] args) =>
        ExecuteAsync(command, (IReadOnlyList<RedisValue>)args, CancellationToken.None);

    /// <inheritdoc cref="ExecuteAsync(string, RedisValue[])"/>
    /// <exception cref="ArgumentException">A command that would change the shared connection's state for every caller.</exception>
    public Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<RedisValue> args, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        SharedConnectionGuard.Check(command, args);
        var parts = new RedisValue[args.Count + 1];
        parts[0] = command;
        for (int i = 0; i < args.Count; i++) parts[i + 1] = args[i];
        return SendAsync(new RedisCommand(command.ToUpperInvariant(), parts), cancellationToken);
    }

    /// <summary>
    /// Runs any command with its own reply timeout instead of <see cref="RedisOptions.CommandTimeout"/>, for the rare
    /// command known to take long on the server (a heavy script). It still holds up the shared connection meanwhile.
    /// </summary>
    public Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<RedisValue> args, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "Timeout must be positive (or infinite).");
        SharedConnectionGuard.Check(command, args);
        var parts = new RedisValue[args.Count + 1];
        parts[0] = command;
        for (int i = 0; i < args.Count; i++) parts[i + 1] = args[i];
        return SendAsync(new RedisCommand(command.ToUpperInvariant(), parts), cancellationToken, timeout);
    }

    internal Task<RedisReply> SendAsync(RedisCommand command, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var connection = Volatile.Read(ref _current);
        if (connection is null) return Task.FromException<RedisReply>(Unavailable(command.Name));
        return connection.SendAsync(command, timeout ?? _options.CommandTimeout, cancellationToken);
    }

    internal async Task<RedisReply[]> SendTransactionAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken)
    {
        var connection = Volatile.Read(ref _current) ?? throw Unavailable(commands[0].Name);
        var tasks = await connection.SendBatchAsync(commands, _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private RedisConnectionException Unavailable(string command)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var last = Volatile.Read(ref _lastError);
        return ExceptionFactory.Unavailable(_options.EndPoint, command, last);
    }

    public async ValueTask DisposeAsync()
    {
        RedisConnection? current;
        lock (_stateLock)
        {
            if (_disposed.IsCancellationRequested) return;
            _disposed.Cancel();
            current = _current;
            _current = null;
        }
        current?.Dispose();
        DrainIdleBlocking();
        CloseBusyBlocking();
        var loop = _reconnectLoop;
        if (loop is not null) await loop.ConfigureAwait(false);
    }
}

/// <summary>Details of a connection loss or restoration.</summary>
public sealed class RedisConnectionEventArgs(string endPoint, Exception? error) : EventArgs
{
    public string EndPoint { get; } = endPoint;

    /// <summary>Why the connection was lost; null for a restoration.</summary>
    public Exception? Error { get; } = error;
}
