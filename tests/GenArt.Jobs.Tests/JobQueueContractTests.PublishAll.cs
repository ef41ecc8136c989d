namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Events_published_together_are_stored_in_order_as_separate_publishes_would_be()
    {
        var entry = TestData.Entry(Clock, jobs: 2);
        await Queue.EnqueueAsync(entry);
        var claim = await ClaimExpected();
        var (a, b) = (entry.Jobs[0].Id, entry.Jobs[1].Id);
        await Queue.PublishAsync(a, new JobProgress(1, 2, null));

        var results = await Queue.PublishAllAsync(
        [
            (a, new JobImage(0, [1], 7, "{}")),
            (b, new JobImage(0, [2], 8, "{}")),
            (a, new JobProgress(1, 2, null)),     // repeats a's earlier step
            (a, new JobCompleted()),
            (a, new JobProgress(2, 2, null)),     // after a's end
            (b, new JobFailed(JobErrorCode.Internal, "model fault")),
        ]);

        Assert.That(results, Is.EqualTo(new[]
        {
            new PublishResult(PublishOutcome.Stored, 3),
            new PublishResult(PublishOutcome.Stored, 2),
            new PublishResult(PublishOutcome.Duplicate, 2),
            new PublishResult(PublishOutcome.Stored, 4),
            new PublishResult(PublishOutcome.JobFinished, 0),
            new PublishResult(PublishOutcome.Stored, 3),
        }));
        Assert.That((await Events(a)).Select(e => e.Body.GetType()),
            Is.EqualTo(new[] { typeof(JobAccepted), typeof(JobProgress), typeof(JobImage), typeof(JobCompleted) }));
        Assert.That((await Info(a)).State, Is.EqualTo(JobState.Succeeded));
        Assert.That((await Info(b)).State, Is.EqualTo(JobState.Failed));
        Assert.That(await Queue.AckAsync(claim), Is.True);
    }

    [Test]
    public async Task Publishing_nothing_together_stores_nothing()
    {
        Assert.That(await Queue.PublishAllAsync([]), Is.Empty);
    }

    [Test]
    public async Task Events_published_together_with_an_unknown_job_are_all_refused()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        var unknown = JobId.New(Clock);

        var e = Assert.ThrowsAsync<JobNotFoundException>(() =>
            Queue.PublishAllAsync([(id, new JobProgress(1, 2, null)), (unknown, new JobCompleted())]));

        Assert.That(e!.JobId, Is.EqualTo(unknown));
        Assert.That((await Info(id)).LastSequence, Is.EqualTo(1), "the known job's event was not stored either");
    }

    [Test]
    public async Task Events_published_together_with_a_bad_one_are_all_refused_naming_it()
    {
        var id = await EnqueueOne();
        await ClaimExpected();

        var e = Assert.ThrowsAsync<JobValidationException>(() =>
            Queue.PublishAllAsync([(id, new JobProgress(1, 2, null)), (id, new JobProgress(5, 2, null))]));

        Assert.That(e!.Field, Is.EqualTo("events[1].body.Step"));
        Assert.That((await Info(id)).LastSequence, Is.EqualTo(1));
    }
}
