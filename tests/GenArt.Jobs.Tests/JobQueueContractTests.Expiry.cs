namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task A_finished_job_and_its_events_expire_after_the_ttl()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        await Queue.PublishAsync(id, new JobCompleted());

        Clock.Advance(Options.FinishedJobTtl - TimeSpan.FromSeconds(1));
        Assert.That(await Events(id), Has.Count.EqualTo(2), "still there just before the TTL");

        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await Queue.GetJobAsync(id), Is.Null);
        Assert.That(async () => await Events(id), Throws.TypeOf<JobNotFoundException>());
        Assert.That(() => Queue.PublishAsync(id, new JobCompleted()), Throws.TypeOf<JobNotFoundException>());
        Assert.That(() => Queue.CancelAsync(id, "acme"), Throws.TypeOf<JobNotFoundException>());
    }

    [Test]
    public async Task An_idempotency_key_is_free_again_once_its_job_expired()
    {
        var first = TestData.Job(Clock, key: "nightly");
        await Queue.EnqueueAsync(TestData.Entry(first));
        await Queue.CancelAsync(first.Id, "acme");
        Clock.Advance(Options.FinishedJobTtl + TimeSpan.FromSeconds(1));

        var second = TestData.Job(Clock, key: "nightly");
        var results = await Queue.EnqueueAsync(TestData.Entry(second));

        Assert.That(results[0], Is.EqualTo(new EnqueueResult(second.Id, true, 0)));
    }

    [Test]
    public async Task Unfinished_jobs_never_expire()
    {
        var running = await EnqueueOne();
        var queued = await EnqueueOne();
        var claim = await ClaimExpected();

        // Ten TTLs pass, the worker heartbeating well within each visibility timeout.
        var step = Options.VisibilityTimeout / 2;
        for (var elapsed = TimeSpan.Zero; elapsed < Options.FinishedJobTtl * 10; elapsed += step)
        {
            Clock.Advance(step);
            Assert.That(await Queue.HeartbeatAsync(claim), Is.True);
        }

        Assert.That((await Info(running)).State, Is.EqualTo(JobState.Running));
        Assert.That((await Info(queued)).State, Is.EqualTo(JobState.Queued));
    }
}
