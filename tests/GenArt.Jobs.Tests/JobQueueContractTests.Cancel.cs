namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Cancelling_a_queued_job_ends_it_at_once()
    {
        var id = await EnqueueOne();
        var watch = Events(id);

        Assert.That(await Queue.CancelAsync(id, "acme"), Is.EqualTo(JobState.Cancelled));

        Assert.That((await watch.WaitAsync(Bound))[^1].Body, Is.TypeOf<JobCancelled>());
        Assert.That(await Queue.IsCancelledAsync(id), Is.True);
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.Zero);
        Assert.That((await Info(id)).FinishedAt, Is.EqualTo(Clock.GetUtcNow()));
    }

    [Test]
    public async Task Cancelling_a_running_job_tells_its_worker_and_ignores_its_later_events()
    {
        var id = await EnqueueOne();
        var claim = await ClaimExpected();
        Assert.That(await Queue.IsCancelledAsync(id), Is.False);

        await Queue.CancelAsync(id, "acme");

        Assert.That(await Queue.IsCancelledAsync(id), Is.True, "the worker drops the sample at its next step");
        Assert.That((await Queue.PublishAsync(id, new JobProgress(5, 20, null))).Outcome, Is.EqualTo(PublishOutcome.JobFinished));
        Assert.That(await Queue.AckAsync(claim), Is.True);
        Assert.That((await Info(id)).State, Is.EqualTo(JobState.Cancelled));
    }

    [Test]
    public async Task Another_tenants_job_cannot_be_cancelled_or_told_apart_from_a_missing_one()
    {
        var id = await EnqueueOne(tenant: "acme");
        var unknown = JobId.New(Clock);

        var foreign = Assert.ThrowsAsync<JobNotFoundException>(() => Queue.CancelAsync(id, "globex"));
        var missing = Assert.ThrowsAsync<JobNotFoundException>(() => Queue.CancelAsync(unknown, "globex"));

        Assert.That(foreign!.Code, Is.EqualTo(JobErrorCode.NotFound));
        Assert.That(foreign.Message.Replace(id.Value, "ID"), Is.EqualTo(missing!.Message.Replace(unknown.Value, "ID")));
        Assert.That((await Info(id)).State, Is.EqualTo(JobState.Queued));
        Assert.That(await Queue.IsCancelledAsync(id), Is.False);
    }

    [Test]
    public async Task Cancelling_a_finished_job_reports_how_it_ended()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        await Queue.PublishAsync(id, new JobCompleted());

        Assert.That(await Queue.CancelAsync(id, "acme"), Is.EqualTo(JobState.Succeeded));
        Assert.That((await Info(id)).LastSequence, Is.EqualTo(2), "no cancelled event follows the end");
    }

    [Test]
    public async Task Workers_stop_on_jobs_that_ended_or_are_gone()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        await Queue.PublishAsync(id, new JobFailed(JobErrorCode.Internal, "decoder crashed"));

        Assert.That(await Queue.IsCancelledAsync(id), Is.True);
        Assert.That(await Queue.IsCancelledAsync(JobId.New(Clock)), Is.True);
    }
}
