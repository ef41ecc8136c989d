namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Claims_come_interactive_first_then_in_enqueue_order()
    {
        var batch1 = await EnqueueOne(JobPriority.Batch);
        var live1 = await EnqueueOne(JobPriority.Interactive);
        var batch2 = await EnqueueOne(JobPriority.Batch);
        var live2 = await EnqueueOne(JobPriority.Interactive);

        var order = new List<JobId>();
        for (var i = 0; i < 4; i++)
            order.Add((await ClaimExpected()).Entry.Jobs[0].Id);

        Assert.That(order, Is.EqualTo(new[] { live1, live2, batch1, batch2 }));
        Assert.That(await ClaimNow(), Is.Null);
    }

    [Test]
    public async Task A_claim_hands_over_the_whole_batch_and_marks_its_jobs_running()
    {
        var entry = TestData.Entry(Clock, jobs: 2);
        await Queue.EnqueueAsync(entry);

        var claim = await ClaimExpected("gpu-7");

        Assert.That(claim.ConsumerId, Is.EqualTo("gpu-7"));
        Assert.That(claim.Kind, Is.EqualTo(EntryKind.Generate));
        Assert.That(claim.DeliveryCount, Is.EqualTo(1));
        Assert.That(Json(claim.Entry), Is.EqualTo(Json(entry)), "everything a worker needs arrives unchanged");
        foreach (var job in entry.Jobs)
        {
            var info = await Info(job.Id);
            Assert.That((info.State, info.Worker, info.Attempts, info.StartedAt, info.EntryId),
                Is.EqualTo((JobState.Running, "gpu-7", 1, (DateTimeOffset?)Clock.GetUtcNow(), claim.EntryId)));
        }
        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.QueuedJobs, depth.ClaimedEntries), Is.EqualTo((0, 1)));
    }

    [Test]
    public async Task A_claim_returns_null_when_its_wait_ends()
    {
        var wait = TimeSpan.FromMilliseconds(200);
        var pending = Queue.ClaimAsync(EntryKind.Generate, "gpu-a", wait);
        Assert.That(pending.IsCompleted, Is.False, "the claim waits for work");

        Clock.Advance(wait);

        Assert.That(await pending.WaitAsync(Bound), Is.Null);
        Assert.That(await ClaimNow(), Is.Null, "a zero wait returns at once");
    }

    [Test]
    public async Task A_waiting_claim_wakes_when_an_entry_arrives()
    {
        var pending = Queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.FromMinutes(5));
        Assert.That(pending.IsCompleted, Is.False);

        var id = await EnqueueOne();

        var claim = await pending.WaitAsync(Bound);
        Assert.That(claim?.Entry.Jobs[0].Id, Is.EqualTo(id));
    }

    [TestCase(5.0)]
    [TestCase(-1.0)]
    [TestCase(double.MaxValue)]
    public void A_waiting_claim_stops_when_cancelled(double minutes)
    {
        // Five minutes, Timeout.InfiniteTimeSpan, and TimeSpan.MaxValue.
        var wait = minutes == double.MaxValue ? TimeSpan.MaxValue
            : minutes < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMinutes(minutes);
        using var cts = new CancellationTokenSource();
        var pending = Queue.ClaimAsync(EntryKind.Generate, "gpu-a", wait, cts.Token);

        cts.Cancel();

        Assert.That(async () => await pending.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void Claim_arguments_are_checked()
    {
        Assert.That(() => Queue.ClaimAsync(EntryKind.Generate, " ", TimeSpan.Zero),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("consumerId"));
        Assert.That(() => Queue.ClaimAsync(EntryKind.Generate, "gpu", TimeSpan.FromSeconds(-2)),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("waitTimeout"));
    }

    [Test]
    public async Task Jobs_cancelled_while_queued_are_left_out_of_the_claim()
    {
        var entry = TestData.Entry(Clock, jobs: 2);
        await Queue.EnqueueAsync(entry);
        await Queue.CancelAsync(entry.Jobs[0].Id, "acme");

        var claim = await ClaimExpected();

        Assert.That(claim.Entry.Jobs.Select(j => j.Id), Is.EqualTo(new[] { entry.Jobs[1].Id }));
        Assert.That((await Info(entry.Jobs[0].Id)).State, Is.EqualTo(JobState.Cancelled));
    }

    [Test]
    public async Task An_entry_whose_jobs_were_all_cancelled_is_never_delivered()
    {
        var id = await EnqueueOne();
        await Queue.CancelAsync(id, "acme");

        Assert.That(await ClaimNow(), Is.Null);
        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.QueuedJobs, depth.ClaimedEntries), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task Jobs_past_their_deadline_fail_at_claim_instead_of_running()
    {
        var late = TestData.Job(Clock, deadline: Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        var timely = TestData.Job(Clock);
        await Queue.EnqueueAsync(TestData.Entry(late, timely));
        Clock.Advance(TimeSpan.FromMinutes(2));

        var claim = await ClaimExpected();

        Assert.That(claim.Entry.Jobs.Select(j => j.Id), Is.EqualTo(new[] { timely.Id }));
        var info = await Info(late.Id);
        Assert.That(info.State, Is.EqualTo(JobState.Failed));
        Assert.That(info.LastError?.Code, Is.EqualTo(JobErrorCode.DeadlineExceeded));
        var events = await Events(late.Id);
        Assert.That(events[^1].Body, Is.TypeOf<JobFailed>().With.Property("Code").EqualTo(JobErrorCode.DeadlineExceeded));
    }
}
