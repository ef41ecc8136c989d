using GenArt.Redis.Tests.Infrastructure;
using System.Collections.Concurrent;
using GenArt.Jobs.Redis;
using GenArt.Redis;

namespace GenArt.Jobs.Tests.Redis;

/// <summary>What only the Redis queue promises: its key layout, sharing between processes, the watcher relay.</summary>
[TestFixture]
public sealed class RedisJobQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly JobQueueOptions Options = new() { MaxQueuedJobs = 2_000, VisibilityTimeout = TimeSpan.FromSeconds(30) };

    private RedisServerProcess _server = null!;
    private RedisClient _redis = null!;
    private FakeTimeProvider _clock = null!;
    private int _prefixes;

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _server = await RedisServerProcess.StartAsync();
        _redis = await RedisClient.ConnectAsync(_server.Options());
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }

    [SetUp]
    public void NewClock() => _clock = new FakeTimeProvider();

    private string NewPrefix() => $"rq{Interlocked.Increment(ref _prefixes)}:";

    private Task<RedisJobQueue> Connect(string prefix, JobQueueOptions? options = null) =>
        RedisJobQueue.ConnectAsync(_server.Options(), options ?? Options, _clock, prefix);

    [Test]
    public async Task The_keys_are_those_the_layout_documents()
    {
        var prefix = NewPrefix();
        await using var queue = await Connect(prefix);
        var job = TestData.Job(_clock, key: "req-1");
        await queue.EnqueueAsync(TestData.Entry(job));
        var claim = (await queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero))!;

        var jobHash = await _redis.HGetAllAsync($"{prefix}job:{job.Id}");
        Assert.That(jobHash.Keys, Is.SupersetOf(new[]
        {
            "tenant", "state", "priority", "kind", "entry", "attempts", "created", "started", "worker", "images", "ready", "seq", "idem",
        }));
        Assert.That(((string?)jobHash["state"], (string?)jobHash["entry"], (string?)jobHash["worker"]),
            Is.EqualTo(("Running", claim.EntryId, "gpu-a")));
        Assert.That(await _redis.XLenAsync($"{prefix}job:{job.Id}:events"), Is.EqualTo(1));
        Assert.That(((string?)jobHash["dedup:accepted"], (string?)jobHash["seq"]), Is.EqualTo(("1", "1")));
        Assert.That((string?)await _redis.GetAsync((string)jobHash["idem"]!), Is.EqualTo(job.Id.Value));
        Assert.That((string)jobHash["idem"]!, Does.StartWith($"{prefix}idem:"));
        var entries = await _redis.XRangeAsync($"{prefix}q:generate:interactive");
        Assert.That(entries.Select(e => e.Id), Is.EqualTo(new[] { claim.EntryId }));
        Assert.That((string?)entries[0]["jobs"], Is.EqualTo(job.Id.Value));
        var lease = await _redis.ExecuteAsync("ZSCORE", $"{prefix}q:generate:leases", $"interactive|{claim.EntryId}");
        Assert.That(lease.ToInt64(), Is.EqualTo((_clock.GetUtcNow() + Options.VisibilityTimeout).ToUnixTimeMilliseconds()));
        Assert.That((string?)await _redis.HGetAsync($"{prefix}q:generate:delivery:interactive:{claim.EntryId}", "holder"), Is.EqualTo("gpu-a"));
        Assert.That((string?)await _redis.HGetAsync($"{prefix}queued", "interactive"), Is.EqualTo("0"));
        var groups = await _redis.XInfoGroupsAsync($"{prefix}q:generate:batch");
        Assert.That(groups.Select(g => g.Name), Is.EqualTo(new[] { "workers" }));

        await queue.PublishAsync(job.Id, new JobCompleted());
        await queue.AckAsync(claim);

        Assert.That(await _redis.XLenAsync($"{prefix}q:generate:interactive"), Is.Zero, "an acknowledged entry leaves its stream");
        Assert.That(await _redis.PTtlAsync($"{prefix}job:{job.Id}"), Is.InRange(1, (long)Options.FinishedJobTtl.TotalMilliseconds));
        Assert.That(await _redis.PTtlAsync($"{prefix}job:{job.Id}:events"), Is.GreaterThan(0));
        Assert.That(await _redis.PTtlAsync((string)jobHash["idem"]!), Is.GreaterThan(0));
    }

    [Test]
    public async Task The_cap_holds_across_front_ends_enqueueing_at_once()
    {
        var prefix = NewPrefix();
        var options = Options with { MaxQueuedJobs = 50 };
        await using var a = await Connect(prefix, options);
        await using var b = await Connect(prefix, options);
        var accepted = 0;
        var refused = 0;

        async Task Produce(IJobQueue queue)
        {
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await queue.EnqueueAsync(TestData.Entry(_clock));
                    Interlocked.Increment(ref accepted);
                }
                catch (QueueFullException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }

        await Task.WhenAll(Task.Run(() => Produce(a)), Task.Run(() => Produce(b))).WaitAsync(Bound);

        Assert.That((accepted, refused), Is.EqualTo((50, 30)));
        Assert.That((await a.QueueDepthAsync()).QueuedJobs, Is.EqualTo(50));
        Assert.That((await b.QueueDepthAsync()).QueuedJobs, Is.EqualTo(50));
    }

    [Test]
    public async Task Front_ends_share_jobs_events_and_idempotency_keys()
    {
        var prefix = NewPrefix();
        await using var frontEnd = await Connect(prefix);
        await using var other = await Connect(prefix);
        await using var worker = await Connect(prefix);
        var job = TestData.Job(_clock, key: "same");

        var first = await frontEnd.EnqueueAsync(TestData.Entry(job));
        var repeat = await other.EnqueueAsync(TestData.Entry(TestData.Job(_clock, key: "same")));
        Assert.That(repeat[0], Is.EqualTo(new EnqueueResult(job.Id, false, null)));

        var claim = (await worker.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromSeconds(5)))!;
        var watch = Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var e in other.WatchAsync(first[0].JobId, 0).WithCancellation(new CancellationTokenSource(Bound).Token))
                seen.Add(e.Sequence);
            return seen;
        });
        await worker.PublishAsync(job.Id, new JobProgress(1, 1, null));
        await worker.PublishAsync(job.Id, new JobCompleted());
        Assert.That(await worker.AckAsync(claim), Is.True);

        Assert.That(await watch.WaitAsync(Bound), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That((await frontEnd.GetJobAsync(job.Id))?.State, Is.EqualTo(JobState.Succeeded));
    }

    [Test]
    public async Task A_pending_entry_that_lost_its_lease_is_found_again_by_XAUTOCLAIM()
    {
        var prefix = NewPrefix();
        await using var queue = await Connect(prefix);
        var id = (await queue.EnqueueAsync(TestData.Entry(_clock)))[0].JobId;
        var first = (await queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero))!;
        // As after a crash of Redis itself that lost the lease write: the entry is pending with no lease, and it
        // has been idle longer than the visibility timeout.
        await _redis.ExecuteAsync("ZREM", $"{prefix}q:generate:leases", $"interactive|{first.EntryId}");
        await _redis.ExecuteAsync("XCLAIM", $"{prefix}q:generate:interactive", "workers", "gpu-a", "0", first.EntryId,
            "IDLE", (long)Options.VisibilityTimeout.TotalMilliseconds * 2, "JUSTID");

        var second = await queue.ClaimAsync(EntryKind.Generate, "gpu-b", TimeSpan.Zero);

        Assert.That((second?.EntryId, second?.DeliveryCount, second?.Entry.Jobs[0].Id),
            Is.EqualTo(((string?)first.EntryId, (int?)2, (JobId?)id)));
        Assert.That(await queue.HeartbeatAsync(first), Is.False);
        Assert.That((string?)await _redis.HGetAsync($"{prefix}q:generate:autoclaim", "interactive"), Is.Not.Null,
            "the XAUTOCLAIM cursor is kept for the next sweep");
    }

    [Test]
    public async Task Idle_consumers_with_nothing_pending_leave_the_group_and_busy_ones_stay()
    {
        var prefix = NewPrefix();
        await using var queue = await Connect(prefix);
        queue.ConsumerIdleLimit = TimeSpan.FromMilliseconds(1);
        var finished = (await queue.EnqueueAsync(TestData.Entry(_clock)))[0].JobId;
        await queue.EnqueueAsync(TestData.Entry(_clock));
        var done = (await queue.ClaimAsync(EntryKind.Generate, "gpu-done", TimeSpan.Zero))!;
        await queue.PublishAsync(finished, new JobCompleted());
        await queue.AckAsync(done);
        var busy = await queue.ClaimAsync(EntryKind.Generate, "gpu-busy", TimeSpan.Zero);
        Assert.That(busy, Is.Not.Null);
        var stream = $"{prefix}q:generate:interactive";
        // Redis measures idleness itself, in whole milliseconds: wait until it reports both as idle.
        using (var wait = new CancellationTokenSource(Bound))
        {
            while ((await _redis.XInfoConsumersAsync(stream, "workers", wait.Token)).Any(c => c.Idle < TimeSpan.FromMilliseconds(1)))
                await Task.Yield();
        }

        Assert.That(await queue.ClaimAsync(EntryKind.Generate, "gpu-sweeper", TimeSpan.Zero), Is.Null);

        var consumers = await _redis.XInfoConsumersAsync(stream, "workers");
        Assert.That(consumers.Select(c => c.Name), Does.Contain("gpu-busy").And.No.Contain("gpu-done"),
            "the idle consumer without pending entries is gone; the one holding an entry stays");
        Assert.That(consumers.Single(c => c.Name == "gpu-busy").Pending, Is.EqualTo(1));
        Assert.That(await queue.AckAsync(busy!), Is.True);
    }

    [Test]
    public async Task Scripts_are_loaded_again_after_the_script_cache_is_flushed()
    {
        await using var queue = await Connect(NewPrefix());
        await queue.EnqueueAsync(TestData.Entry(_clock));

        await _redis.ExecuteAsync("SCRIPT", "FLUSH");

        Assert.That((await queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(1));
        Assert.That(await queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero), Is.Not.Null);
    }

    [Test]
    public async Task A_thousand_watchers_share_a_few_blocking_connections_and_each_sees_its_events_in_order()
    {
        const int watchers = 1_000;
        var prefix = NewPrefix();
        await using var queue = await Connect(prefix);
        var ids = new List<JobId>();
        for (var i = 0; i < watchers / 10; i++)
            ids.AddRange((await queue.EnqueueAsync(TestData.Entry(_clock, JobPriority.Batch, jobs: 10))).Select(r => r.JobId));
        var connectionsBefore = await ConnectedClients();

        using var cts = new CancellationTokenSource(Bound * 2);
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = new ConcurrentDictionary<JobId, List<long>>();
        var watches = ids.Select(id => Task.Run(async () =>
        {
            var seen = new List<long>();
            await foreach (var e in queue.WatchAsync(id, 0, cts.Token))
            {
                seen.Add(e.Sequence);
                if (e.Sequence == 1 && Interlocked.Increment(ref started) == watchers)
                    allStarted.TrySetResult();
            }
            results[id] = seen;
        })).ToArray();
        await allStarted.Task.WaitAsync(Bound);

        // Every watcher has read its stored event and now waits for live ones on the relay.
        var relay = queue.RelayLoopCount;
        Assert.That(relay, Is.InRange(1, WatchRelay.MaxLoops));
        Assert.That(await ConnectedClients() - connectionsBefore, Is.LessThanOrEqualTo(WatchRelay.MaxLoops),
            "watchers share the relay's blocking connections");

        foreach (var id in ids)
        {
            await queue.PublishAsync(id, new JobProgress(1, 2, null));
            await queue.PublishAsync(id, new JobProgress(2, 2, null));
            await queue.PublishAsync(id, new JobCompleted());
        }
        await Task.WhenAll(watches).WaitAsync(Bound);

        Assert.That(results, Has.Count.EqualTo(watchers));
        Assert.That(results.Values, Is.All.EqualTo(new long[] { 1, 2, 3, 4 }));
    }

    [Test]
    public async Task Waiting_claims_share_one_blocking_read_and_each_gets_its_own_entry()
    {
        const int workers = 10;
        await using var queue = await Connect(NewPrefix());
        var connectionsBefore = await ConnectedClients();
        var scriptsBefore = await EvalShaCalls();

        var claims = Enumerable.Range(0, workers)
            .Select(w => queue.ClaimAsync(EntryKind.Generate, $"gpu-{w}", TimeSpan.FromMinutes(5)))
            .ToArray();
        // Every claim has run its script (and found nothing), and the shared read is blocked in Redis.
        using (var wait = new CancellationTokenSource(Bound))
        {
            while (await EvalShaCalls() < scriptsBefore + workers || await InfoField("clients", "blocked_clients") < 1)
                await Task.Delay(1, wait.Token);
        }

        Assert.That(claims.Any(c => c.IsCompleted), Is.False);
        Assert.That(await InfoField("clients", "blocked_clients"), Is.EqualTo(1), "one blocking read for all waiting claims");
        Assert.That(await ConnectedClients() - connectionsBefore, Is.LessThanOrEqualTo(1));

        var ids = new List<JobId>();
        for (var i = 0; i < workers; i++)
            ids.Add((await queue.EnqueueAsync(TestData.Entry(_clock)))[0].JobId);
        var claimed = await Task.WhenAll(claims).WaitAsync(Bound);

        Assert.That(claimed.Select(c => c!.Entry.Jobs[0].Id), Is.EquivalentTo(ids));
    }

    private async Task<long> EvalShaCalls()
    {
        var stats = (await _redis.ExecuteAsync("INFO", "commandstats")).ToString();
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal));
        if (line is null)
            return 0;
        var calls = line.Split(',')[0]["cmdstat_evalsha:calls=".Length..];
        return long.Parse(calls, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> InfoField(string section, string field)
    {
        var info = (await _redis.ExecuteAsync("INFO", section)).ToString();
        var line = info.Split('\n').First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return int.Parse(line[(field.Length + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private Task<int> ConnectedClients() => InfoField("clients", "connected_clients");

    [Test]
    public async Task A_disposed_queue_releases_its_waiters_and_refuses_work()
    {
        var queue = await Connect(NewPrefix());
        var pending = queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));

        await queue.DisposeAsync();

        Assert.That(async () => await pending.WaitAsync(Bound), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => queue.EnqueueAsync(TestData.Entry(_clock)), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task A_wait_timer_that_fires_after_its_claim_returned_is_harmless()
    {
        // A system timer's callback can already be queued on the thread pool when the timer is disposed, and then
        // runs after the claim's wait ended another way and its cancellation sources were disposed. An exception
        // there would end the worker process.
        var clock = new LateCallbackClock(_clock);
        await using var queue = await RedisJobQueue.ConnectAsync(_server.Options(), Options, clock, NewPrefix());
        var pending = queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));
        await clock.TimerCreated.WaitAsync(Bound);

        var job = TestData.Job(_clock);
        await queue.EnqueueAsync(TestData.Entry(job));
        var claim = await pending.WaitAsync(Bound);

        Assert.That(claim?.Entry.Jobs[0].Id, Is.EqualTo(job.Id), "the entry woke the claim, not its timer");
        Assert.That(clock.Late, Is.Not.Empty, "the claim's wait timer was disposed");
        foreach (var (callback, state) in clock.Late)
            Assert.That(() => callback(state), Throws.Nothing);
    }

    /// <summary>A clock whose timers, when disposed, hand their callbacks to the test to run late.</summary>
    private sealed class LateCallbackClock(FakeTimeProvider inner) : TimeProvider
    {
        private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TimerCreated => _created.Task;

        public ConcurrentQueue<(TimerCallback Callback, object? State)> Late { get; } = new();

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new LateTimer(inner.CreateTimer(callback, state, dueTime, period), () => Late.Enqueue((callback, state)));
            _created.TrySetResult();
            return timer;
        }

        private sealed class LateTimer(ITimer inner, Action onDispose) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                inner.Dispose();
                onDispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    [Test]
    public void Connecting_to_a_closed_port_is_unavailable()
    {
        var options = new RedisOptions { Host = "127.0.0.1", Port = 1, ConnectTimeout = TimeSpan.FromSeconds(2) };

        Assert.That(() => RedisJobQueue.ConnectAsync(options, Options),
            Throws.InstanceOf<JobQueueException>().With.Property("Code").EqualTo(JobErrorCode.Unavailable));
    }
}
