using System.IO.Pipelines;

namespace GenArt.Redis.Internal;

/// <summary>
/// One physical connection: a send loop, a receive loop and the FIFO of commands awaiting replies.
/// </summary>
/// <remarks>
/// Redis answers the commands of one connection strictly in the order it received them (redis.io,
/// "Pipelining"), so replies are matched to the oldest pending command. Once anything makes that
/// matching doubtful (a timeout, a protocol error, a cancelled in-flight read, a socket error) the
/// connection faults for good: every pending command fails and the owner opens a new connection.
/// A connection is never reused after a fault.
/// </remarks>
internal sealed partial class RedisConnection : IDisposable
{
    private readonly RedisOptions _options;
    private readonly Stream _stream;
    private readonly Pipe _outbound = new(new PipeOptions(
        pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, useSynchronizationContext: false));
    private readonly PipeReader _input;
    private readonly RespReplyReader _replies;
    private readonly Queue<PendingReply> _pending = new();
    private readonly Lock _pendingLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Timer _timeoutTimer;
    private readonly Action<RedisPubSubMessage>? _messageSink;
    private Action<RedisConnection, Exception>? _onFault;
    private Exception? _fault;

    private RedisConnection(RedisOptions options, Stream stream, string role, Action<RedisConnection, Exception>? onFault,
        Action<RedisPubSubMessage>? messageSink)
    {
        _messageSink = messageSink;
        _options = options;
        _stream = stream;
        _onFault = onFault;
        Role = role;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
        _replies = new RespReplyReader(_input, options.Limits);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.CommandTimeout.TotalMilliseconds / 10, 10, 100));
        _timeoutTimer = new Timer(static state => ((RedisConnection)state!).CheckTimeouts(), this, period, period);
    }

    /// <summary>"interactive" or "blocking", for messages.</summary>
    public string Role { get; }

    public bool IsFaulted => Volatile.Read(ref _fault) is not null;

    private void Start()
    {
        _ = Task.Run(SendLoopAsync);
        _ = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Closes the connection; pending commands fail with <see cref="RedisConnectionException"/>.</summary>
    public void Fault(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _fault, reason, null) is not null) return;
        _timeoutTimer.Dispose();
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // The socket is already broken; nothing more to release.
        }
        _outbound.Reader.CancelPendingRead();

        PendingReply[] orphaned;
        lock (_pendingLock)
        {
            orphaned = _pending.ToArray();
            _pending.Clear();
        }
        foreach (var pending in orphaned)
            pending.TrySetException(ExceptionFactory.CommandLost(_options.EndPoint, pending.Command.Name, reason));

        Interlocked.Exchange(ref _onFault, null)?.Invoke(this, reason);
    }

    public void Dispose() =>
        Fault(ExceptionFactory.ClosedByClient(_options.EndPoint, Role));

    private void CheckTimeouts()
    {
        long now = Environment.TickCount64;
        PendingReply? expired = null;
        lock (_pendingLock)
        {
            foreach (var pending in _pending)
            {
                if (now >= pending.Deadline && !pending.Task.IsCompleted)
                {
                    expired = pending;
                    break;
                }
            }
        }
        if (expired is null) return;
        expired.TrySetException(new RedisTimeoutException(expired.Command.Name, expired.Timeout));
        Fault(ExceptionFactory.RecycledAfterTimeout(_options.EndPoint, Role, expired.Command.Name, expired.Timeout));
    }
}
