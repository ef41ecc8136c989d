namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Fine_tunes_and_generation_batches_are_claimed_separately()
    {
        var fineTune = TestData.FineTuneEntry(Clock);
        var generate = TestData.Entry(Clock);
        await Queue.EnqueueAsync(fineTune);
        await Queue.EnqueueAsync(generate);

        var first = await ClaimExpected();
        Assert.That(first.Entry.Jobs[0].Id, Is.EqualTo(generate.Jobs[0].Id), "a generate claim never receives a fine-tune");
        Assert.That(await ClaimNow(), Is.Null);

        var claim = await Queue.ClaimAsync(EntryKind.FineTune, "trainer-1", TimeSpan.Zero).WaitAsync(Bound);
        Assert.That(claim, Is.Not.Null);
        Assert.That(claim!.Kind, Is.EqualTo(EntryKind.FineTune));
        Assert.That(Json(claim.Entry), Is.EqualTo(Json(fineTune)), "the run and its preview samples arrive unchanged");
        Assert.That((await Info(fineTune.Jobs[0].Id)).State, Is.EqualTo(JobState.Running));
        Assert.That(await Queue.ClaimAsync(EntryKind.FineTune, "trainer-2", TimeSpan.Zero), Is.Null);
    }

    [Test]
    public async Task A_job_reports_the_kind_of_its_entry()
    {
        var fineTune = TestData.FineTuneEntry(Clock);
        var generate = TestData.Entry(Clock);
        await Queue.EnqueueAsync(fineTune);
        await Queue.EnqueueAsync(generate);
        Assert.That((await Info(fineTune.Jobs[0].Id)).Kind, Is.EqualTo(EntryKind.FineTune));
        Assert.That((await Info(generate.Jobs[0].Id)).Kind, Is.EqualTo(EntryKind.Generate));
    }

    [Test]
    public async Task A_waiting_fine_tune_claim_wakes_for_a_fine_tune_only()
    {
        var pending = Queue.ClaimAsync(EntryKind.FineTune, "trainer-1", TimeSpan.FromMinutes(5));
        await Queue.EnqueueAsync(TestData.Entry(Clock));
        var fineTune = TestData.FineTuneEntry(Clock);
        await Queue.EnqueueAsync(fineTune);

        var claim = await pending.WaitAsync(Bound);
        Assert.That(claim?.Entry.Jobs[0].Id, Is.EqualTo(fineTune.Jobs[0].Id));
        Assert.That((await ClaimExpected()).Kind, Is.EqualTo(EntryKind.Generate), "the generate entry is still there");
    }

    [Test]
    public async Task Training_events_are_stored_in_order_and_a_repeated_step_is_dropped()
    {
        var entry = TestData.FineTuneEntry(Clock);
        await Queue.EnqueueAsync(entry);
        var claim = (await Queue.ClaimAsync(EntryKind.FineTune, "trainer-1", TimeSpan.Zero))!;
        var id = entry.Jobs[0].Id;
        byte[] png = [0x89, 1, 2, 3];

        await Queue.PublishAsync(id, new TrainingStep(1, 300, 0.25, null));
        await Queue.PublishAsync(id, new TrainingStep(2, 300, 0.125, png));
        var repeat = await Queue.PublishAsync(id, new TrainingStep(2, 300, 0.5, null));
        var preview = new TrainingPreview(1, "acmestyle a hexagon", [1, 2], [3, 4, 5]);
        await Queue.PublishAsync(id, new TrainingResult("acme-style", new string('a', 64), 0.1, [preview]));
        await Queue.PublishAsync(id, new JobCompleted());
        Assert.That(await Queue.AckAsync(claim), Is.True);

        Assert.That(repeat.Outcome, Is.EqualTo(PublishOutcome.Duplicate), "a resumed worker repeating a step is harmless");
        var events = await Events(id);
        Assert.That(events.Select(e => e.Body.GetType().Name), Is.EqualTo(new[]
            { nameof(JobAccepted), nameof(TrainingStep), nameof(TrainingStep), nameof(TrainingResult), nameof(JobCompleted) }));
        var step2 = (TrainingStep)events[2].Body;
        Assert.That((step2.Step, step2.TotalSteps, step2.Loss, step2.PreviewPng), Is.EqualTo((2L, 300L, 0.125, png)));
        var result = (TrainingResult)events[3].Body;
        Assert.That((result.AdapterName, result.FinalLoss, result.Previews.Count), Is.EqualTo(("acme-style", 0.1, 1)));
        Assert.That((result.Previews[0].Seed, result.Previews[0].BasePng, result.Previews[0].AdaptedPng),
            Is.EqualTo((1L, new byte[] { 1, 2 }, new byte[] { 3, 4, 5 })));
        Assert.That((await Info(id)).State, Is.EqualTo(JobState.Succeeded));
    }

    [TestCase(0L, 300L, 0.1, "body.Step")]
    [TestCase(301L, 300L, 0.1, "body.Step")]
    [TestCase(1L, 0L, 0.1, "body.TotalSteps")]
    [TestCase(1L, 300L, double.NaN, "body.Loss")]
    public async Task A_malformed_training_step_is_refused(long step, long total, double loss, string field)
    {
        var entry = TestData.FineTuneEntry(Clock);
        await Queue.EnqueueAsync(entry);
        var e = Assert.ThrowsAsync<JobValidationException>(() => Queue.PublishAsync(entry.Jobs[0].Id, new TrainingStep(step, total, loss, null)));
        Assert.That(e!.Field, Is.EqualTo(field));
    }

    [Test]
    public async Task A_training_result_without_a_content_address_is_refused()
    {
        var entry = TestData.FineTuneEntry(Clock);
        await Queue.EnqueueAsync(entry);
        var e = Assert.ThrowsAsync<JobValidationException>(() =>
            Queue.PublishAsync(entry.Jobs[0].Id, new TrainingResult("acme-style", "abc", 0.1, [])));
        Assert.That(e!.Field, Is.EqualTo("body.Sha256"));
    }
}
