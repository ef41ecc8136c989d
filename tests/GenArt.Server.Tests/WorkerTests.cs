using GenArt.Jobs;
using GenArt.Worker;

namespace GenArt.Server.Tests;

/// <summary>The worker loop alone, over the in-process queue.</summary>
public sealed class WorkerTests
{
    [Test]
    public async Task AModelThatFailsToLoadFailsTheDeliveryAndTheJobEndsUnavailable()
    {
        await using var queue = new InProcessJobQueue(new JobQueueOptions { MaxDeliveries = 2 });
        using var models = new ModelCache(new Dictionary<string, string> { ["missing"] = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid()) });
        await using var worker = new GenerationWorker(queue, models, new WorkerOptions { ClaimWait = TimeSpan.FromSeconds(1) }, preload: false);
        worker.Start();
        var job = Job();
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey("missing", 128, 128, 2, "ddim", GenerationMode.TextToImage), 1, null, 0), [job]));

        var events = new List<JobEventBody>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in queue.WatchAsync(job.Id, 0, timeout.Token)) events.Add(e.Body);
        var failed = events.OfType<JobFailed>().Single();
        Assert.That(failed.Code, Is.EqualTo(JobErrorCode.Unavailable));
        Assert.That(failed.Message, Does.Contain("'missing' could not be loaded"));
        var info = await queue.GetJobAsync(job.Id);
        Assert.That(info!.Attempts, Is.EqualTo(2), "retried until the delivery limit, then dead-lettered");
        Assert.That(info.State, Is.EqualTo(JobState.DeadLettered));
    }

    [Test]
    public async Task AJobCancelledMidRunStopsItsSamplesAndTheBatchStillFinishes()
    {
        await using var queue = new InProcessJobQueue();
        using var models = new ModelCache(new Dictionary<string, string> { [TestServer.ModelName] = TestServer.ModelPath });
        var steps = new StepCounter();
        await using var worker = new GenerationWorker(queue, models, new WorkerOptions { Observer = steps, CancelCheckInterval = TimeSpan.Zero });
        worker.Start();
        await worker.Ready;
        JobSpec keep = Job(), drop = Job();
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey(TestServer.ModelName, 128, 128, 60, "ddim", GenerationMode.TextToImage), 1, null, 0), [keep, drop]));

        await foreach (var e in queue.WatchAsync(drop.Id, 0))
            if (e.Body is JobProgress { Step: 2 }) await queue.CancelAsync(drop.Id, "acme");
        var kept = new List<JobEventBody>();
        await foreach (var e in queue.WatchAsync(keep.Id, 0)) kept.Add(e.Body);

        Assert.That(kept.Last(), Is.TypeOf<JobCompleted>());
        Assert.That(kept.OfType<JobImage>().Count(), Is.EqualTo(1));
        var dropped = await queue.GetJobAsync(drop.Id);
        Assert.That(dropped!.State, Is.EqualTo(JobState.Cancelled));
        // The worker learnt of the cancel between steps and dropped that sample: only one image was made.
        Assert.That(steps.Images, Is.EqualTo(1));
        Assert.That(steps.Count, Is.EqualTo(60));
    }

    private static JobSpec Job() => new(JobId.New(), "acme", JobPriority.Interactive, null, null, DateTimeOffset.UtcNow,
        [new SampleSpec("a shape", "", 3, 5.0, [], 0)]);

    private sealed class StepCounter : IWorkerObserver
    {
        private int _steps, _images;
        public int Count => Volatile.Read(ref _steps);
        public int Images => Volatile.Read(ref _images);
        public void BatchStarted(int samples) { }
        public void StepCompleted(TimeSpan elapsed) => Interlocked.Increment(ref _steps);
        public void ImagePublished() => Interlocked.Increment(ref _images);
    }
}
