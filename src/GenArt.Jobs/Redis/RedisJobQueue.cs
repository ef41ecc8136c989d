using System.Globalization;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

/// <summary>
/// The queue on Redis 7 Streams and hashes, shared by any number of front ends and workers: the whole
/// <see cref="IJobQueue"/> contract, with the same behaviour as <see cref="InProcessJobQueue"/>.
/// </summary>
/// <remarks>
/// Every change that touches more than one key is one Lua script (Lua/*.lua), so concurrent front ends and
/// workers never see half an operation and the queue cap holds across all of them. All time comes from the
/// injected <see cref="TimeProvider"/>: lease deadlines are sorted-set scores, finished-job expiry is checked
/// against stored times on every read (PEXPIRE only collects the garbage), and the scripts receive "now" as an
/// argument. Blocking waits (a claim waiting for work, watchers following events) are real XREAD BLOCK calls;
/// watchers share a few blocking connections through <see cref="WatchRelay"/>. While Redis is unreachable every
/// operation fails at once with <see cref="JobQueueException"/> (Unavailable); the client reconnects by itself and
/// the scripts are loaded again after a restart. docs/queue.md, "Redis layout", lists the keys.
/// </remarks>
public sealed partial class RedisJobQueue : IJobQueue
{
    private static readonly string[] NoKeys = [];

    private readonly JobQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _ownsClient;
    private readonly RedisKeys _keys;
    private readonly WatchRelay _relay;
    private readonly CancellationTokenSource _disposed = new();

    private RedisJobQueue(RedisClient client, bool ownsClient, JobQueueOptions options, TimeProvider time, string keyPrefix)
    {
        Client = client;
        _ownsClient = ownsClient;
        _options = options;
        _time = time;
        _keys = new RedisKeys(keyPrefix);
        _relay = new WatchRelay(client, _keys);
    }

    /// <summary>The connection the queue uses; other stores (the adapter registry) may share it.</summary>
    public RedisClient Client { get; }

    /// <summary>Blocking connections the watcher relay holds now (at most <see cref="WatchRelay.MaxLoops"/>).</summary>
    internal int RelayLoopCount => _relay.LoopCount;

    /// <summary>The string every key of this queue starts with.</summary>
    public string KeyPrefix => _keys.Prefix;

    /// <summary>
    /// Connects to Redis and prepares the queue's streams and consumer groups. The first connection must succeed;
    /// later losses are repaired in the background.
    /// </summary>
    /// <param name="redis">Where Redis is and how to talk to it.</param>
    /// <param name="options">Limits and timings; validated here.</param>
    /// <param name="time">The clock for leases, deadlines, TTLs and claim waits; the system clock when null.</param>
    /// <param name="keyPrefix">Start of every key, so several queues can share a database. Use a hash tag such as
    /// <c>{genart}:</c> to keep every key in one Redis Cluster slot.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <exception cref="JobQueueException">Unavailable: Redis could not be reached.</exception>
    public static async Task<RedisJobQueue> ConnectAsync(
        RedisOptions redis,
        JobQueueOptions options,
        TimeProvider? time = null,
        string keyPrefix = "genart:",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        options.Validate();
        RedisClient client;
        try
        {
            client = await RedisClient.ConnectAsync(redis, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            throw Unavailable("connect", e);
        }
        var queue = new RedisJobQueue(client, ownsClient: true, options, time ?? TimeProvider.System, keyPrefix);
        try
        {
            await queue.CreateGroupsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await queue.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return queue;
    }

    /// <summary>A queue over a client the caller keeps and disposes (for several queues or stores on one connection).</summary>
    /// <exception cref="JobQueueException">Unavailable: Redis could not be reached.</exception>
    public static async Task<RedisJobQueue> CreateAsync(
        RedisClient client,
        JobQueueOptions options,
        TimeProvider? time = null,
        string keyPrefix = "genart:",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        options.Validate();
        var queue = new RedisJobQueue(client, ownsClient: false, options, time ?? TimeProvider.System, keyPrefix);
        await queue.CreateGroupsAsync(cancellationToken).ConfigureAwait(false);
        return queue;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        _disposed.Cancel();
        await _relay.DisposeAsync().ConfigureAwait(false);
        if (_ownsClient)
            await Client.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CreateGroupsAsync(CancellationToken cancellationToken)
    {
        foreach (var kind in Enum.GetValues<EntryKind>())
        {
            foreach (var priority in Enum.GetValues<JobPriority>())
            {
                try
                {
                    await Client.XGroupCreateAsync(_keys.Queue(kind, priority), RedisKeys.Group, "0", makeStream: true,
                        cancellationToken).ConfigureAwait(false);
                }
                catch (RedisServerException e) when (e.ErrorCode == "BUSYGROUP")
                {
                    // Another front end or worker created it first.
                }
                catch (RedisException e)
                {
                    throw Unavailable("XGROUP CREATE", e);
                }
            }
        }
    }

    /// <summary>The header every script takes: key prefix, now (ms and ticks) and the options it needs.</summary>
    private List<RedisValue> Args(int capacity = 8)
    {
        var now = _time.GetUtcNow();
        return new List<RedisValue>(8 + capacity)
        {
            _keys.Prefix,
            now.ToUnixTimeMilliseconds(),
            now.UtcTicks.ToString(CultureInfo.InvariantCulture),
            Milliseconds(_options.VisibilityTimeout),
            _options.MaxDeliveries,
            Milliseconds(_options.FinishedJobTtl),
            _options.MaxDeadLetters,
            _options.MaxQueuedJobs,
        };
    }

    private static long Milliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));

    /// <summary>Runs a script, turning Redis' failures into the queue's own exceptions.</summary>
    private async Task<RedisReply> RunAsync(RedisScript script, string operation, List<RedisValue> args,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await script.EvaluateAsync(Client, NoKeys, args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ObjectDisposedException && _disposed.IsCancellationRequested)
        {
            // Disposal closed the connection under the call.
            throw new ObjectDisposedException(nameof(RedisJobQueue), e);
        }
        catch (Exception e) when (Translate(operation, e) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The queue exception for a Redis failure; null for anything else (cancellation, disposal).</summary>
    private static JobQueueException? Translate(string operation, Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException => Unavailable(operation, e),
        // Answers of a server that is starting, read-only or stuck in a script: it is not available now.
        RedisServerException s when s.ErrorCode is "LOADING" or "BUSY" or "MASTERDOWN" or "READONLY" or "TRYAGAIN"
            or "CLUSTERDOWN" => Unavailable(operation, e),
        RedisServerException s => new JobQueueException(JobErrorCode.Internal,
            $"The queue's {operation} failed on Redis: {s.ServerMessage}", s),
        RedisProtocolException => new JobQueueException(JobErrorCode.Internal,
            $"The queue's {operation} got a malformed reply from Redis: {e.Message}", e),
        _ => null,
    };

    private static JobQueueException Unavailable(string operation, Exception inner) =>
        new(JobErrorCode.Unavailable, $"The queue is unavailable: {operation} could not reach Redis ({inner.Message}).", inner);

    private static string Text(RedisReply reply) => reply.ToString();

    private static long Number(RedisReply reply) => reply.Kind == RedisReplyKind.Integer
        ? reply.ToInt64()
        : long.Parse(reply.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static DateTimeOffset FromTicks(string ticks) =>
        new(long.Parse(ticks, NumberStyles.Integer, CultureInfo.InvariantCulture), TimeSpan.Zero);
}
