namespace GenArt.Jobs.Tests;

/// <summary>The contract suite against the embedded queue, plus what only the embedded queue promises.</summary>
[TestFixture]
public sealed class InProcessJobQueueTests : JobQueueContractTests
{
    protected override IJobQueue CreateQueue(JobQueueOptions options, TimeProvider time) =>
        new InProcessJobQueue(options, time);

    [Test]
    public async Task Expired_jobs_leave_nothing_behind()
    {
        for (var i = 0; i < 50; i++)
        {
            var job = TestData.Job(Clock, key: $"k{i}");
            await Queue.EnqueueAsync(TestData.Entry(job));
            var claim = await ClaimExpected();
            await Queue.PublishAsync(job.Id, new JobCompleted());
            await Queue.AckAsync(claim);
        }
        var queue = (InProcessJobQueue)Queue;
        Assert.That(queue.Footprint, Is.EqualTo((50, 50, 50)));

        Clock.Advance(Options.FinishedJobTtl);
        await Queue.QueueDepthAsync();

        Assert.That(queue.Footprint, Is.EqualTo((0, 0, 0)));
    }

    [Test]
    public void Bad_options_are_refused_naming_the_setting()
    {
        Assert.That(() => new InProcessJobQueue(Options with { MaxDeliveries = 0 }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("MaxDeliveries"));
        Assert.That(() => new InProcessJobQueue(Options with { VisibilityTimeout = TimeSpan.Zero }),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("JobQueueOptions.VisibilityTimeout"));
    }

    [Test]
    public async Task A_disposed_queue_releases_its_waiters_and_refuses_work()
    {
        var pending = Queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));

        await Queue.DisposeAsync();

        Assert.That(async () => await pending.WaitAsync(Bound), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => Queue.EnqueueAsync(TestData.Entry(Clock)), Throws.TypeOf<ObjectDisposedException>());
    }
}
