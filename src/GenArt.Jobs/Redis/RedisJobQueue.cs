using System.Runtime.CompilerServices;
using GenArt.Redis;

namespace GenArt.Jobs.Redis;

/// <summary>
/// The queue on Redis 7 Streams and hashes, shared by any number of front ends and workers.
/// </summary>
public sealed partial class RedisJobQueue : IJobQueue
{
    private readonly JobQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _ownsClient;

    private RedisJobQueue(RedisClient client, bool ownsClient, JobQueueOptions options, TimeProvider time, string keyPrefix)
    {
        Client = client;
        _ownsClient = ownsClient;
        _options = options;
        _time = time;
        KeyPrefix = keyPrefix;
    }

    /// <summary>The connection the queue uses; other stores (the adapter registry) may share it.</summary>
    public RedisClient Client { get; }

    /// <summary>The string every key of this queue starts with.</summary>
    public string KeyPrefix { get; }

    /// <summary>Connects to Redis and prepares the queue's streams and consumer groups.</summary>
    public static async Task<RedisJobQueue> ConnectAsync(
        RedisOptions redis,
        JobQueueOptions options,
        TimeProvider? time = null,
        string keyPrefix = "genart:",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var client = await RedisClient.ConnectAsync(redis, cancellationToken).ConfigureAwait(false);
        return new RedisJobQueue(client, ownsClient: true, options, time ?? TimeProvider.System, keyPrefix);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsClient)
            await Client.DisposeAsync().ConfigureAwait(false);
    }

    public Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(QueueEntry entry, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<Claim?> ClaimAsync(EntryKind kind, string consumerId, TimeSpan waitTimeout, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> HeartbeatAsync(Claim claim, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> AckAsync(Claim claim, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> FailDeliveryAsync(Claim claim, JobError error, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> ReleaseAsync(Claim claim, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<int> ReclaimExpiredAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<PublishResult> PublishAsync(JobId jobId, JobEventBody body, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public async IAsyncEnumerable<JobEvent> WatchAsync(JobId jobId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        throw new NotSupportedException();
#pragma warning disable CS0162
        yield break;
#pragma warning restore CS0162
    }
    public Task<JobInfo?> GetJobAsync(JobId jobId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<JobState> CancelAsync(JobId jobId, string tenant, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<bool> IsCancelledAsync(JobId jobId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<QueueDepth> QueueDepthAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
