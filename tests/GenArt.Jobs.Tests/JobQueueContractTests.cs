namespace GenArt.Jobs.Tests;

/// <summary>
/// The behaviour every <see cref="IJobQueue"/> must have, written once. An implementation's fixture derives from
/// this and supplies <see cref="CreateQueue"/>; the queue must take all time from the given clock, which the
/// tests move by hand. Blocking waits are awaited with a real-time bound so a broken queue fails, not hangs.
/// </summary>
public abstract partial class JobQueueContractTests
{
    /// <summary>Real-time bound on anything a test awaits.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    protected static readonly JobQueueOptions Options = new()
    {
        MaxQueuedJobs = 100,
        VisibilityTimeout = TimeSpan.FromSeconds(30),
        MaxDeliveries = 3,
        FinishedJobTtl = TimeSpan.FromMinutes(10),
        MaxDeadLetters = 10,
        QueueFullRetryAfter = TimeSpan.FromSeconds(7),
    };

    protected FakeTimeProvider Clock { get; private set; } = null!;
    protected IJobQueue Queue { get; private set; } = null!;

    /// <summary>A new, empty queue using <paramref name="time"/> for every clock reading and timer.</summary>
    protected abstract IJobQueue CreateQueue(JobQueueOptions options, TimeProvider time);

    [SetUp]
    public void CreateDefaultQueue()
    {
        Clock = new FakeTimeProvider();
        Queue = CreateQueue(Options, Clock);
    }

    [TearDown]
    public async Task DisposeQueue() => await Queue.DisposeAsync();

    /// <summary>Replaces the queue with one built from other options.</summary>
    protected async Task UseOptions(JobQueueOptions options)
    {
        await Queue.DisposeAsync();
        Queue = CreateQueue(options, Clock);
    }

    protected async Task<JobId> EnqueueOne(JobPriority priority = JobPriority.Interactive, string tenant = "acme")
    {
        var results = await Queue.EnqueueAsync(TestData.Entry(TestData.Job(Clock, tenant, priority)));
        return results[0].JobId;
    }

    protected Task<Claim?> ClaimNow(string consumer = "gpu-a") =>
        Queue.ClaimAsync(EntryKind.Generate, consumer, TimeSpan.Zero);

    protected async Task<Claim> ClaimExpected(string consumer = "gpu-a")
    {
        var claim = await ClaimNow(consumer).WaitAsync(Bound);
        Assert.That(claim, Is.Not.Null, "expected a claimable entry");
        return claim!;
    }

    protected async Task<JobInfo> Info(JobId id)
    {
        var info = await Queue.GetJobAsync(id);
        Assert.That(info, Is.Not.Null, $"job {id} should exist");
        return info!;
    }

    /// <summary>Value comparison that also holds for entries that went through storage.</summary>
    protected static string Json(QueueEntry entry) =>
        System.Text.Json.JsonSerializer.Serialize(entry, JobsJsonContext.Default.QueueEntry);

    /// <summary>All events of a finished job (the watch ends at its terminal event).</summary>
    protected async Task<List<JobEvent>> Events(JobId id, long after = 0)
    {
        var list = new List<JobEvent>();
        using var cts = new CancellationTokenSource(Bound);
        await foreach (var e in Queue.WatchAsync(id, after, cts.Token))
            list.Add(e);
        return list;
    }
}
