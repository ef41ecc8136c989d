using GenArt.Redis.Tests.Infrastructure;
using GenArt.Jobs.Redis;
using GenArt.Redis;

namespace GenArt.Jobs.Tests.Redis;

/// <summary>
/// The contract suite against the Redis queue: one real redis-server for the fixture, a fresh key prefix for
/// every queue a test makes, so tests never see each other's keys.
/// </summary>
[TestFixture]
public sealed class RedisJobQueueContractTests : JobQueueContractTests
{
    private RedisServerProcess _server = null!;
    private RedisClient _client = null!;
    private int _queues;

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _server = await RedisServerProcess.StartAsync();
        _client = await RedisClient.ConnectAsync(_server.Options());
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    protected override IJobQueue CreateQueue(JobQueueOptions options, TimeProvider time)
    {
        var prefix = $"test{Interlocked.Increment(ref _queues)}:";
        return RedisJobQueue.CreateAsync(_client, options, time, prefix).GetAwaiter().GetResult();
    }
}
