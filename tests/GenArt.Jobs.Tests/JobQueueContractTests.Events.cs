namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3];

    [Test]
    public async Task Published_events_get_increasing_sequence_numbers_and_drive_the_state()
    {
        var id = await EnqueueOne();
        await ClaimExpected();

        var results = new List<PublishResult>
        {
            await Queue.PublishAsync(id, new JobProgress(1, 2, null)),
            await Queue.PublishAsync(id, new JobProgress(2, 2, Png)),
            await Queue.PublishAsync(id, new JobImage(0, Png, 1000, "{}")),
        };
        Assert.That((await Info(id)).ImagesReady, Is.EqualTo(1));
        Clock.Advance(TimeSpan.FromSeconds(3));
        results.Add(await Queue.PublishAsync(id, new JobCompleted()));

        Assert.That(results.Select(r => (r.Outcome, r.Sequence)), Is.EqualTo(new[]
        {
            (PublishOutcome.Stored, 2L), (PublishOutcome.Stored, 3L), (PublishOutcome.Stored, 4L), (PublishOutcome.Stored, 5L),
        }));
        var info = await Info(id);
        Assert.That((info.State, info.LastSequence, info.FinishedAt), Is.EqualTo((JobState.Succeeded, 5L, (DateTimeOffset?)Clock.GetUtcNow())));
        var events = await Events(id);
        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
        var image = (JobImage)events[3].Body;
        Assert.That((image.Index, image.Seed, image.MetadataJson, image.Png), Is.EqualTo((0, 1000L, "{}", Png)));
        Assert.That(((JobProgress)events[2].Body).PreviewPng, Is.EqualTo(Png));
    }

    [Test]
    public async Task A_repeated_step_is_stored_once()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        var first = await Queue.PublishAsync(id, new JobProgress(1, 20, null));
        await Queue.PublishAsync(id, new JobImage(0, Png, 1, "{}"));

        // A redelivered worker runs the batch again from the start.
        var again = await Queue.PublishAsync(id, new JobProgress(1, 20, Png));
        var imageAgain = await Queue.PublishAsync(id, new JobImage(0, Png, 1, "{}"));
        var next = await Queue.PublishAsync(id, new JobProgress(2, 20, null));

        Assert.That(again, Is.EqualTo(new PublishResult(PublishOutcome.Duplicate, first.Sequence)));
        Assert.That(imageAgain, Is.EqualTo(new PublishResult(PublishOutcome.Duplicate, 3)));
        Assert.That(next, Is.EqualTo(new PublishResult(PublishOutcome.Stored, 4)));
        Assert.That((await Info(id)).ImagesReady, Is.EqualTo(1));
    }

    [Test]
    public async Task The_first_terminal_event_wins()
    {
        var id = await EnqueueOne();
        await ClaimExpected();
        var completed = await Queue.PublishAsync(id, new JobCompleted());

        var failedLater = await Queue.PublishAsync(id, new JobFailed(JobErrorCode.Internal, "late"));
        var progressLater = await Queue.PublishAsync(id, new JobProgress(3, 20, null));

        Assert.That(failedLater, Is.EqualTo(new PublishResult(PublishOutcome.Duplicate, completed.Sequence)));
        Assert.That(progressLater, Is.EqualTo(new PublishResult(PublishOutcome.JobFinished, 0)));
        var info = await Info(id);
        Assert.That((info.State, info.LastSequence, info.LastError), Is.EqualTo((JobState.Succeeded, 2L, (JobError?)null)));
    }

    [Test]
    public async Task A_failed_event_fails_the_job_with_its_error()
    {
        var id = await EnqueueOne();
        await ClaimExpected();

        await Queue.PublishAsync(id, new JobFailed(JobErrorCode.InvalidArgument, "adapter rank mismatch"));

        var info = await Info(id);
        Assert.That((info.State, info.LastError), Is.EqualTo(
            (JobState.Failed, (JobError?)new JobError(JobErrorCode.InvalidArgument, "adapter rank mismatch"))));
    }

    [Test]
    public async Task Bad_events_are_refused_naming_the_field()
    {
        var id = await EnqueueOne();

        Assert.That(() => Queue.PublishAsync(id, new JobAccepted(0)),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("body"));
        Assert.That(() => Queue.PublishAsync(id, new JobProgress(21, 20, null)),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("body.Step"));
        Assert.That(() => Queue.PublishAsync(id, new JobImage(0, [], 1, "{}")),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("body.Png"));
        Assert.That(() => Queue.PublishAsync(JobId.New(Clock), new JobCompleted()), Throws.TypeOf<JobNotFoundException>());
        Assert.That((await Info(id)).LastSequence, Is.EqualTo(1));
    }

    [Test]
    public async Task A_watch_replays_then_follows_live_events_and_ends_at_the_terminal_one()
    {
        var id = await EnqueueOne();
        await Queue.PublishAsync(id, new JobProgress(1, 3, null));
        using var cts = new CancellationTokenSource(Bound);
        await using var watch = Queue.WatchAsync(id, 0, cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current.Body, Is.TypeOf<JobAccepted>());
        Assert.That(await watch.MoveNextAsync(), Is.True);
        Assert.That(watch.Current.Body, Is.EqualTo(new JobProgress(1, 3, null)));

        var live = watch.MoveNextAsync().AsTask();
        Assert.That(live.IsCompleted, Is.False, "the watch waits for the next event");
        await Queue.PublishAsync(id, new JobProgress(2, 3, null));
        Assert.That(await live.WaitAsync(Bound), Is.True);
        Assert.That((watch.Current.Sequence, watch.Current.Body), Is.EqualTo((3L, (JobEventBody)new JobProgress(2, 3, null))));

        live = watch.MoveNextAsync().AsTask();
        await Queue.PublishAsync(id, new JobCancelled());
        Assert.That(await live.WaitAsync(Bound), Is.True);
        Assert.That(watch.Current.Body, Is.TypeOf<JobCancelled>());
        Assert.That(await watch.MoveNextAsync().AsTask().WaitAsync(Bound), Is.False, "the terminal event ends the watch");
    }

    [Test]
    public async Task A_watch_reattaches_after_the_last_sequence_seen()
    {
        var id = await EnqueueOne();
        for (var step = 1; step <= 3; step++)
            await Queue.PublishAsync(id, new JobProgress(step, 3, null));
        await Queue.PublishAsync(id, new JobCompleted());

        var after2 = await Events(id, after: 2);
        var afterEnd = await Events(id, after: 5);

        Assert.That(after2.Select(e => e.Sequence), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(after2[^1].Body, Is.TypeOf<JobCompleted>());
        Assert.That(afterEnd, Is.Empty);
    }

    [Test]
    public async Task Many_watchers_each_see_every_event_in_order()
    {
        var id = await EnqueueOne();
        var watchers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Events(id))).ToArray();
        for (var step = 1; step <= 20; step++)
            await Queue.PublishAsync(id, new JobProgress(step, 20, null));
        await Queue.PublishAsync(id, new JobCompleted());

        foreach (var watcher in watchers)
            Assert.That((await watcher.WaitAsync(Bound)).Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, 22).Select(i => (long)i)));
    }

    [Test]
    public void Watching_an_unknown_job_is_not_found()
    {
        var unknown = JobId.New(Clock);
        Assert.That(async () => await Events(unknown), Throws.TypeOf<JobNotFoundException>().With.Property("JobId").EqualTo(unknown));
    }

    [Test]
    public async Task A_watch_stops_when_cancelled()
    {
        var id = await EnqueueOne();
        using var cts = new CancellationTokenSource();
        await using var watch = Queue.WatchAsync(id, 1, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = watch.MoveNextAsync().AsTask();

        cts.Cancel();

        Assert.That(async () => await next.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
    }
}
