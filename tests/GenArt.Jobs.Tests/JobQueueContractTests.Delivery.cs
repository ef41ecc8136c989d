namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    private static readonly JobError GpuLost = new(JobErrorCode.Unavailable, "CUDA device lost");

    [Test]
    public async Task An_ack_ends_the_delivery_and_only_counts_once()
    {
        var id = await EnqueueOne();
        var claim = await ClaimExpected();
        await Queue.PublishAsync(id, new JobCompleted());

        Assert.That(await Queue.AckAsync(claim), Is.True);
        Assert.That(await Queue.AckAsync(claim), Is.False, "a second ack finds no claim");
        Assert.That(await Queue.HeartbeatAsync(claim), Is.False);
        Assert.That((await Queue.QueueDepthAsync()).ClaimedEntries, Is.Zero);
        Assert.That((await Info(id)).State, Is.EqualTo(JobState.Succeeded));
    }

    [Test]
    public async Task An_ack_fails_jobs_the_worker_left_unfinished()
    {
        var entry = TestData.Entry(Clock, jobs: 2);
        await Queue.EnqueueAsync(entry);
        var claim = await ClaimExpected();
        await Queue.PublishAsync(entry.Jobs[0].Id, new JobCompleted());

        await Queue.AckAsync(claim);

        Assert.That((await Info(entry.Jobs[0].Id)).State, Is.EqualTo(JobState.Succeeded));
        var forgotten = await Info(entry.Jobs[1].Id);
        Assert.That(forgotten.State, Is.EqualTo(JobState.Failed));
        Assert.That(forgotten.LastError?.Code, Is.EqualTo(JobErrorCode.Internal));
        Assert.That((await Events(entry.Jobs[1].Id))[^1].Body, Is.TypeOf<JobFailed>());
    }

    [Test]
    public async Task A_claim_not_heartbeated_within_the_visibility_timeout_goes_to_another_worker()
    {
        var id = await EnqueueOne();
        var first = await ClaimExpected("gpu-a");

        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));
        var second = await ClaimExpected("gpu-b");

        Assert.That((second.EntryId, second.DeliveryCount), Is.EqualTo((first.EntryId, 2)));
        var info = await Info(id);
        Assert.That((info.State, info.Worker, info.Attempts), Is.EqualTo((JobState.Running, "gpu-b", 2)));
        Assert.That(await Queue.HeartbeatAsync(first), Is.False, "the first worker lost its claim");
        Assert.That(await Queue.AckAsync(first), Is.False, "a lost claim cannot be acknowledged");
        Assert.That(await Queue.FailDeliveryAsync(first, GpuLost), Is.False);
        Assert.That(await Queue.AckAsync(second), Is.True);
    }

    [Test]
    public async Task Heartbeats_keep_a_claim_past_the_visibility_timeout()
    {
        await EnqueueOne();
        var claim = await ClaimExpected("gpu-a");
        var most = Options.VisibilityTimeout * 0.75;

        Clock.Advance(most);
        Assert.That(await Queue.HeartbeatAsync(claim), Is.True);
        Clock.Advance(most);
        Assert.That(await Queue.HeartbeatAsync(claim), Is.True);
        Clock.Advance(most);

        Assert.That(await ClaimNow("gpu-b"), Is.Null);
        Assert.That(await Queue.AckAsync(claim), Is.True);
    }

    [Test]
    public async Task A_lapsed_claim_is_lost_even_before_another_worker_claims()
    {
        await EnqueueOne();
        var claim = await ClaimExpected("gpu-a");

        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));

        Assert.That(await Queue.HeartbeatAsync(claim), Is.False);
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(1), "its job waits again");
    }

    [Test]
    public async Task A_waiting_claim_wakes_when_a_lease_lapses()
    {
        var id = await EnqueueOne();
        await ClaimExpected("gpu-a");
        var pending = Queue.ClaimAsync(EntryKind.Generate, "gpu-b", TimeSpan.FromMinutes(10));
        Assert.That(pending.IsCompleted, Is.False);

        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));

        var claim = await pending.WaitAsync(Bound);
        Assert.That((claim?.Entry.Jobs[0].Id, claim?.DeliveryCount), Is.EqualTo(((JobId?)id, (int?)2)));
    }

    [Test]
    public async Task Reclaim_returns_lapsed_entries_to_the_queue()
    {
        var id = await EnqueueOne();
        await ClaimExpected("gpu-a");
        Assert.That(await Queue.ReclaimExpiredAsync(), Is.Zero);

        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));

        Assert.That(await Queue.ReclaimExpiredAsync(), Is.EqualTo(1));
        var info = await Info(id);
        Assert.That(info.State, Is.EqualTo(JobState.Queued));
        Assert.That(info.LastError?.Code, Is.EqualTo(JobErrorCode.Unavailable));
        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.QueuedJobs, depth.ClaimedEntries), Is.EqualTo((1, 0)));
    }

    [Test]
    public async Task A_lapsed_entry_is_claimed_before_entries_enqueued_after_it()
    {
        var older = await EnqueueOne();
        await ClaimExpected("gpu-a");
        var newer = await EnqueueOne();

        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));

        Assert.That((await ClaimExpected("gpu-b")).Entry.Jobs[0].Id, Is.EqualTo(older));
        Assert.That((await ClaimExpected("gpu-b")).Entry.Jobs[0].Id, Is.EqualTo(newer));
    }

    [Test]
    public async Task Released_deliveries_do_not_count_towards_dead_lettering()
    {
        await UseOptions(Options with { MaxDeliveries = 1 });
        var id = await EnqueueOne();
        var first = await ClaimExpected("gpu-a");

        Assert.That(await Queue.ReleaseAsync(first), Is.True, "a worker shutting down gives its entry back");
        Assert.That(await Queue.ReleaseAsync(first), Is.False);
        Assert.That((await Info(id)).State, Is.EqualTo(JobState.Queued));
        var second = await ClaimExpected("gpu-b");
        Assert.That(second.DeliveryCount, Is.EqualTo(2));
        await Queue.FailDeliveryAsync(second, GpuLost);

        Assert.That((await Info(id)).State, Is.EqualTo(JobState.DeadLettered), "the one counted delivery failed");
    }

    [Test]
    public async Task A_failed_delivery_is_retried_at_once_with_the_error_recorded()
    {
        var id = await EnqueueOne();
        var first = await ClaimExpected("gpu-a");

        Assert.That(await Queue.FailDeliveryAsync(first, GpuLost), Is.True);

        var info = await Info(id);
        Assert.That((info.State, info.LastError), Is.EqualTo((JobState.Queued, GpuLost)));
        var second = await ClaimExpected("gpu-b");
        Assert.That((second.EntryId, second.DeliveryCount), Is.EqualTo((first.EntryId, 2)));
    }

    [Test]
    public async Task After_the_last_delivery_fails_the_entry_is_dead_lettered_with_the_last_error()
    {
        var entry = TestData.Entry(Clock, jobs: 2);
        await Queue.EnqueueAsync(entry);
        var done = entry.Jobs[0].Id;
        var unlucky = entry.Jobs[1].Id;
        for (var delivery = 1; delivery <= Options.MaxDeliveries; delivery++)
        {
            var claim = await ClaimExpected($"gpu-{delivery}");
            Assert.That(claim.DeliveryCount, Is.EqualTo(delivery));
            if (delivery == 1)
                await Queue.PublishAsync(done, new JobCompleted());
            var error = new JobError(JobErrorCode.ResourceExhausted, $"out of memory on delivery {delivery}");
            Assert.That(await Queue.FailDeliveryAsync(claim, error), Is.True);
        }

        Assert.That(await ClaimNow(), Is.Null, "a dead letter is not delivered again");
        var info = await Info(unlucky);
        Assert.That(info.State, Is.EqualTo(JobState.DeadLettered));
        Assert.That(info.Attempts, Is.EqualTo(3));
        Assert.That(info.LastError, Is.EqualTo(new JobError(JobErrorCode.ResourceExhausted, "out of memory on delivery 3")));
        Assert.That((await Events(unlucky))[^1].Body,
            Is.EqualTo(new JobFailed(JobErrorCode.ResourceExhausted, "out of memory on delivery 3")));
        var doneInfo = await Info(done);
        Assert.That((doneInfo.State, doneInfo.Attempts), Is.EqualTo((JobState.Succeeded, 1)), "finished jobs keep their result");

        var letters = await Queue.GetDeadLettersAsync(10);
        Assert.That(letters, Has.Count.EqualTo(1));
        Assert.That((letters[0].DeliveryCount, letters[0].LastError.Message), Is.EqualTo((3, "out of memory on delivery 3")));
        Assert.That(letters[0].Entry.Jobs.Select(j => j.Id), Is.EqualTo(entry.Jobs.Select(j => j.Id)));
        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.QueuedJobs, depth.ClaimedEntries, depth.DeadLetters), Is.EqualTo((0, 0, 1)));
    }

    [Test]
    public async Task Lapsed_deliveries_count_towards_dead_lettering()
    {
        await UseOptions(Options with { MaxDeliveries = 2 });
        var id = await EnqueueOne();
        var watch = Events(id);

        await ClaimExpected("gpu-a");
        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));
        await ClaimExpected("gpu-b");
        Clock.Advance(Options.VisibilityTimeout + TimeSpan.FromSeconds(1));
        Assert.That(await Queue.ReclaimExpiredAsync(), Is.EqualTo(1));

        Assert.That((await Info(id)).State, Is.EqualTo(JobState.DeadLettered));
        var events = await watch.WaitAsync(Bound);
        Assert.That(events[^1].Body, Is.TypeOf<JobFailed>().With.Property("Code").EqualTo(JobErrorCode.Unavailable));
        Assert.That(await ClaimNow(), Is.Null);
    }

    [Test]
    public async Task The_dead_letter_list_keeps_the_newest_within_its_limit()
    {
        await UseOptions(Options with { MaxDeliveries = 1, MaxDeadLetters = 2 });
        var entries = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await EnqueueOne();
            var claim = await ClaimExpected();
            entries.Add(claim.EntryId);
            await Queue.FailDeliveryAsync(claim, GpuLost);
        }

        var letters = await Queue.GetDeadLettersAsync(10);

        Assert.That(letters.Select(l => l.EntryId), Is.EqualTo(new[] { entries[2], entries[1] }));
        Assert.That((await Queue.GetDeadLettersAsync(1)).Select(l => l.EntryId), Is.EqualTo(new[] { entries[2] }));
    }

    [Test]
    public async Task A_failed_delivery_needs_an_error_that_says_something()
    {
        await EnqueueOne();
        var claim = await ClaimExpected();

        Assert.That(() => Queue.FailDeliveryAsync(claim, new JobError(JobErrorCode.Internal, "")),
            Throws.TypeOf<JobValidationException>().With.Property("Field").EqualTo("error.Message"));
        Assert.That(await Queue.HeartbeatAsync(claim), Is.True, "a refused call changes nothing");
    }
}
