using System.Collections.Concurrent;
using GenArt.Redis.Internal;

namespace GenArt.Redis;

public sealed partial class RedisClient
{
    private readonly ConcurrentBag<RedisConnection> _idleBlocking = new();
    private readonly ConcurrentDictionary<RedisConnection, bool> _busyBlocking = new();
    private readonly SemaphoreSlim _blockingSlots;

    /// <summary>
    /// Runs a command that may block on the server (XREAD/XREADGROUP BLOCK, BLPOP) on a connection of its own,
    /// so the shared connection's other commands never queue behind it.
    /// </summary>
    /// <param name="block">How long the server may block; the reply timeout is this plus CommandTimeout. Zero blocks forever.</param>
    /// <remarks>Cancelling while the server blocks closes that one connection, because its reply would still arrive later.</remarks>
    public Task<RedisReply> ExecuteBlockingAsync(TimeSpan block, string command, IReadOnlyList<RedisValue> args,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(args);
        // Blocking connections are pooled and reused, so the same state rules apply as on the shared one.
        SharedConnectionGuard.Check(command, args);
        var parts = new RedisValue[args.Count + 1];
        parts[0] = command;
        for (int i = 0; i < args.Count; i++) parts[i + 1] = args[i];
        return SendBlockingAsync(new RedisCommand(command.ToUpperInvariant(), parts), block, cancellationToken);
    }

    internal async Task<RedisReply> SendBlockingAsync(RedisCommand command, TimeSpan? block, CancellationToken cancellationToken)
    {
        if (block is null) return await SendAsync(command, cancellationToken).ConfigureAwait(false);
        // While the shared connection is down Redis is taken to be down: fail fast instead of dialling.
        if (Volatile.Read(ref _current) is null) throw Unavailable(command.Name);
        var timeout = block.Value == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : block.Value + _options.CommandTimeout;

        if (!await _blockingSlots.WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false))
            throw ExceptionFactory.BlockingConnectionsBusy(command.Name, _options.MaxBlockingConnections, _options.CommandTimeout);
        RedisConnection? connection = null;
        try
        {
            while (_idleBlocking.TryTake(out var idle))
            {
                if (!idle.IsFaulted)
                {
                    connection = idle;
                    break;
                }
                idle.Dispose();
            }
            connection ??= await RedisConnection.ConnectAsync(_options, "blocking", null, cancellationToken).ConfigureAwait(false);
            _busyBlocking[connection] = true;
            // Dispose closes busy connections; one that became busy just after that sweep is closed here.
            if (_disposed.IsCancellationRequested) connection.Dispose();
            return await connection.SendAsync(command, timeout, cancellationToken, cancelInFlight: true).ConfigureAwait(false);
        }
        finally
        {
            if (connection is not null)
            {
                _busyBlocking.TryRemove(connection, out _);
                if (connection.IsFaulted || _disposed.IsCancellationRequested) connection.Dispose();
                else _idleBlocking.Add(connection);
                if (_disposed.IsCancellationRequested) DrainIdleBlocking();
            }
            _blockingSlots.Release();
        }
    }

    private void DrainIdleBlocking()
    {
        while (_idleBlocking.TryTake(out var idle)) idle.Dispose();
    }

    private void CloseBusyBlocking()
    {
        foreach (var busy in _busyBlocking.Keys) busy.Dispose();
    }
}
