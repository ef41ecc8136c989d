using GenArt.Redis.Tests.Infrastructure;
using System.Diagnostics;
using GenArt.Jobs.Redis;

namespace GenArt.Jobs.Tests.Redis;

/// <summary>
/// Redis stopped (SIGTERM, AOF on) and started again on the same port: operations fail fast with Unavailable
/// meanwhile, and afterwards the queue, its scripts and its watchers carry on without help.
/// </summary>
[TestFixture]
public sealed class RedisJobQueueOutageTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>How fast a failure must be reported while Redis is down.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    private static readonly JobQueueOptions Options = new() { MaxQueuedJobs = 100 };

    private RedisServerProcess _server = null!;
    private RedisJobQueue _queue = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public async Task Start()
    {
        _server = await RedisServerProcess.StartAsync(["--appendonly", "yes", "--appendfsync", "always"]);
        _clock = new FakeTimeProvider();
        var redis = _server.Options();
        redis.CommandTimeout = TimeSpan.FromSeconds(2);
        redis.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        _queue = await RedisJobQueue.ConnectAsync(redis, Options, _clock, "outage:");
    }

    [TearDown]
    public async Task Stop()
    {
        await _queue.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Enqueue_fails_fast_while_Redis_is_down_and_work_survives_a_restart()
    {
        var queued = TestData.Job(_clock);
        await _queue.EnqueueAsync(TestData.Entry(queued));
        var watched = TestData.Job(_clock);
        await _queue.EnqueueAsync(TestData.Entry(watched));
        using var cts = new CancellationTokenSource(Bound * 2);
        await using var watch = _queue.WatchAsync(watched.Id, 0, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current.Body, Is.TypeOf<JobAccepted>());
        var live = watch.MoveNextAsync().AsTask();

        await _server.StopAsync();

        var timer = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<JobQueueException>(() => _queue.EnqueueAsync(TestData.Entry(_clock)).WaitAsync(Bound));
        Assert.That(error!.Code, Is.EqualTo(JobErrorCode.Unavailable));
        Assert.That(timer.Elapsed, Is.LessThan(Prompt), "no hanging while Redis is down");
        Assert.That(() => _queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero).WaitAsync(Bound),
            Throws.InstanceOf<JobQueueException>().With.Property("Code").EqualTo(JobErrorCode.Unavailable));
        Assert.That(live.IsCompleted, Is.False, "a watcher waits through the outage");

        await _server.RestartAsync();
        await _queue.Client.WaitForConnectionAsync().WaitAsync(Bound);

        // Both entries were in the AOF; the scripts are loaded again (the restarted server has none cached).
        var first = await _queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero).WaitAsync(Bound);
        var second = await _queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero).WaitAsync(Bound);
        Assert.That(new[] { first?.Entry.Jobs[0].Id, second?.Entry.Jobs[0].Id }, Is.EqualTo(new JobId?[] { queued.Id, watched.Id }));

        await _queue.PublishAsync(watched.Id, new JobProgress(1, 1, null));
        await _queue.PublishAsync(watched.Id, new JobCompleted());
        Assert.That(await live.WaitAsync(Bound), Is.True, "the watcher resumed after the restart");
        Assert.That((watch.Current.Sequence, watch.Current.Body), Is.EqualTo((2L, (JobEventBody)new JobProgress(1, 1, null))));
        Assert.That(await watch.MoveNextAsync().AsTask().WaitAsync(Bound), Is.True);
        Assert.That(watch.Current.Body, Is.TypeOf<JobCompleted>());
        Assert.That(await watch.MoveNextAsync().AsTask().WaitAsync(Bound), Is.False);
    }

    [Test]
    public async Task A_waiting_claim_fails_fast_when_Redis_goes_away_and_claims_work_once_it_is_back()
    {
        var pending = _queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));
        Assert.That(pending.IsCompleted, Is.False);

        await _server.StopAsync();

        var timer = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<JobQueueException>(() => pending.WaitAsync(Bound));
        Assert.That(error!.Code, Is.EqualTo(JobErrorCode.Unavailable));
        Assert.That(timer.Elapsed, Is.LessThan(Prompt));

        await _server.RestartAsync();
        await _queue.Client.WaitForConnectionAsync().WaitAsync(Bound);
        var waiting = _queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));
        var id = (await _queue.EnqueueAsync(TestData.Entry(_clock)))[0].JobId;
        Assert.That((await waiting.WaitAsync(Bound))?.Entry.Jobs[0].Id, Is.EqualTo(id));
    }
}
