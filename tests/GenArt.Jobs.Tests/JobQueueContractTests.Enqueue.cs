namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Enqueue_new_jobs_keep_their_ids_and_get_positions_in_claim_order()
    {
        var first = TestData.Entry(Clock, JobPriority.Interactive, jobs: 2);
        var firstResults = await Queue.EnqueueAsync(first);
        var batch = await Queue.EnqueueAsync(TestData.Entry(Clock, JobPriority.Batch));
        var second = await Queue.EnqueueAsync(TestData.Entry(Clock, JobPriority.Interactive));

        Assert.That(firstResults.Select(r => r.JobId), Is.EqualTo(first.Jobs.Select(j => j.Id)));
        Assert.That(firstResults.Select(r => r.IsNew), Is.All.True);
        Assert.That(firstResults.Select(r => r.QueuePosition), Is.EqualTo(new int?[] { 0, 1 }));
        Assert.That(batch[0].QueuePosition, Is.EqualTo(2), "batch jobs wait behind every queued job");
        Assert.That(second[0].QueuePosition, Is.EqualTo(2), "interactive jobs wait only behind interactive ones");

        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.InteractiveJobs, depth.BatchJobs, depth.QueuedJobs), Is.EqualTo((3, 1, 4)));
    }

    [Test]
    public async Task Enqueue_publishes_accepted_with_the_position_as_sequence_one()
    {
        await EnqueueOne();
        var id = await EnqueueOne();

        var info = await Info(id);
        Assert.That(info.State, Is.EqualTo(JobState.Queued));
        Assert.That(info.LastSequence, Is.EqualTo(1));
        Assert.That(info.Attempts, Is.Zero);
        Assert.That(info.ImageCount, Is.EqualTo(1));

        await Queue.PublishAsync(id, new JobCompleted());
        var events = await Events(id);
        Assert.That(events[0].Sequence, Is.EqualTo(1));
        Assert.That(events[0].Body, Is.EqualTo(new JobAccepted(1)));
        Assert.That(events[0].JobId, Is.EqualTo(id));
        Assert.That(events[0].Timestamp, Is.EqualTo(Clock.GetUtcNow()));
    }

    [Test]
    public async Task Same_tenant_and_key_is_the_same_job()
    {
        var original = TestData.Job(Clock, key: "req-1");
        var repeat = TestData.Job(Clock, key: "req-1");
        await Queue.EnqueueAsync(TestData.Entry(original));
        var results = await Queue.EnqueueAsync(TestData.Entry(repeat));

        Assert.That(results[0], Is.EqualTo(new EnqueueResult(original.Id, false, null)));
        Assert.That(await Queue.GetJobAsync(repeat.Id), Is.Null, "the repeat's own id is never used");
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(1));
        await ClaimExpected();
        Assert.That(await ClaimNow(), Is.Null, "a repeat stores no entry");
    }

    [Test]
    public async Task Different_tenants_never_share_an_idempotency_key()
    {
        var acme = TestData.Job(Clock, "acme", key: "req-1");
        var globex = TestData.Job(Clock, "globex", key: "req-1");
        await Queue.EnqueueAsync(TestData.Entry(acme));
        var results = await Queue.EnqueueAsync(TestData.Entry(globex));

        Assert.That(results[0], Is.EqualTo(new EnqueueResult(globex.Id, true, 1)));
        Assert.That((await Info(globex.Id)).Tenant, Is.EqualTo("globex"));
    }

    [Test]
    public async Task A_key_repeated_within_one_entry_names_the_first_job()
    {
        var first = TestData.Job(Clock, key: "k");
        var again = TestData.Job(Clock, key: "k");
        var results = await Queue.EnqueueAsync(TestData.Entry(first, again));

        Assert.That(results.Select(r => (r.JobId, r.IsNew)), Is.EqualTo(new[] { (first.Id, true), (first.Id, false) }));
        var claim = await ClaimExpected();
        Assert.That(claim.Entry.Jobs.Select(j => j.Id), Is.EqualTo(new[] { first.Id }));
    }

    [Test]
    public async Task A_partly_repeated_entry_stores_only_its_new_jobs()
    {
        var old = TestData.Job(Clock, key: "old");
        await Queue.EnqueueAsync(TestData.Entry(old));
        await ClaimExpected();

        var fresh = TestData.Job(Clock, key: "new");
        var results = await Queue.EnqueueAsync(TestData.Entry(TestData.Job(Clock, key: "old"), fresh));

        Assert.That(results.Select(r => r.IsNew), Is.EqualTo(new[] { false, true }));
        Assert.That(results[0].JobId, Is.EqualTo(old.Id));
        var claim = await ClaimExpected("gpu-b");
        Assert.That(claim.Entry.Jobs.Select(j => j.Id), Is.EqualTo(new[] { fresh.Id }));
    }

    [Test]
    public async Task An_entry_over_capacity_is_refused_whole_with_a_retry_hint()
    {
        await UseOptions(Options with { MaxQueuedJobs = 3 });
        await Queue.EnqueueAsync(TestData.Entry(Clock, jobs: 2));
        var refused = TestData.Entry(TestData.Job(Clock, key: "k1"), TestData.Job(Clock, key: "k2"));

        var error = Assert.ThrowsAsync<QueueFullException>(() => Queue.EnqueueAsync(refused));

        Assert.That(error!.Code, Is.EqualTo(JobErrorCode.ResourceExhausted));
        Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(error.Message, Does.Contain("2 of 3"));
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(2));
        foreach (var job in refused.Jobs)
            Assert.That(await Queue.GetJobAsync(job.Id), Is.Null, "no job of a refused entry exists");

        // The refused keys were not taken: once there is room, the same request is new.
        await ClaimExpected();
        var retry = await Queue.EnqueueAsync(refused);
        Assert.That(retry.Select(r => r.IsNew), Is.All.True);
    }

    [Test]
    public async Task An_entry_larger_than_the_whole_queue_is_invalid_rather_than_full()
    {
        await UseOptions(Options with { MaxQueuedJobs = 2 });

        var error = Assert.ThrowsAsync<JobValidationException>(() => Queue.EnqueueAsync(TestData.Entry(Clock, jobs: 3)));

        Assert.That(error!.Field, Is.EqualTo("Jobs"));
        Assert.That(error.Message, Does.Contain("capacity of 2"));
    }

    [Test]
    public async Task Repeats_do_not_count_against_capacity()
    {
        await UseOptions(Options with { MaxQueuedJobs = 1 });
        var job = TestData.Job(Clock, key: "k");
        await Queue.EnqueueAsync(TestData.Entry(job));

        var results = await Queue.EnqueueAsync(TestData.Entry(TestData.Job(Clock, key: "k")));

        Assert.That(results[0].JobId, Is.EqualTo(job.Id));
        Assert.ThrowsAsync<QueueFullException>(() => EnqueueOne());
    }

    [Test]
    public async Task A_deadline_already_past_is_refused()
    {
        var late = TestData.Job(Clock, deadline: Clock.GetUtcNow() - TimeSpan.FromSeconds(1));

        var error = Assert.ThrowsAsync<JobQueueException>(() => Queue.EnqueueAsync(TestData.Entry(late)));

        Assert.That(error!.Code, Is.EqualTo(JobErrorCode.DeadlineExceeded));
        Assert.That(error.Message, Does.Contain("Jobs[0].Deadline"));
        Assert.That(await Queue.GetJobAsync(late.Id), Is.Null);
    }

    [Test]
    public async Task A_job_id_already_in_use_is_refused()
    {
        var job = TestData.Job(Clock);
        await Queue.EnqueueAsync(TestData.Entry(job));

        var error = Assert.ThrowsAsync<JobValidationException>(() => Queue.EnqueueAsync(TestData.Entry(job)));

        Assert.That(error!.Field, Is.EqualTo("Jobs[0].Id"));
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(1));
    }

    [TestCaseSource(typeof(InvalidEntries), nameof(InvalidEntries.Cases))]
    public async Task Invalid_entries_are_refused_naming_the_field(Func<TimeProvider, QueueEntry> make, string field)
    {
        var entry = make(Clock);

        var error = Assert.ThrowsAsync<JobValidationException>(() => Queue.EnqueueAsync(entry));

        Assert.That(error!.Field, Is.EqualTo(field));
        Assert.That(error.Code, Is.EqualTo(JobErrorCode.InvalidArgument));
        Assert.That(error.Message, Does.StartWith(field + ": "));
        Assert.That((await Queue.QueueDepthAsync()).QueuedJobs, Is.Zero);
    }
}
