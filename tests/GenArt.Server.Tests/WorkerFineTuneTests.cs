using System.Collections.Concurrent;
using System.Security.Cryptography;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Jobs;
using GenArt.Worker;

namespace GenArt.Server.Tests;

/// <summary>Fine-tune entries on the in-process queue: a worker trains, checkpoints, registers the adapter to the
/// submitting tenant, reports preview pairs, resumes a released run bit for bit, and cleans up.</summary>
public sealed class WorkerFineTuneTests
{
    private const int Size = 32;
    private string data = null!;
    private InProcessJobQueue queue = null!;
    private InProcessAdapterStore store = null!;
    private ModelCache models = null!;
    private LoraCache loras = null!;

    [SetUp]
    public void Setup()
    {
        data = Directory.CreateTempSubdirectory("genart-worker-finetune-").FullName;
        queue = new InProcessJobQueue();
        store = new InProcessAdapterStore(data);
        models = new ModelCache(new Dictionary<string, string> { [TestServer.ModelName] = TestServer.ModelPath });
        loras = new LoraCache(256L << 20);
    }

    [TearDown]
    public async Task Cleanup()
    {
        await queue.DisposeAsync();
        loras.Dispose();
        models.Dispose();
        Directory.Delete(data, true);
    }

    [Test]
    public async Task AFineTuneTrainsRegistersForItsTenantOnlyAndLeavesOtherTenantsRendersUnchanged()
    {
        await using var worker = Worker(new Observer());
        worker.Start();
        await worker.Ready;
        var before = await RenderAsync("globex");

        var (job, entry) = FineTune("acme", "brand", "set-a", steps: 4, previewEvery: 2, seeds: [11, 12]);
        WriteSet("set-a");
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);

        var steps = events.OfType<TrainingStep>().ToList();
        Assert.That(steps.Select(s => s.Step), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(steps.All(s => s.TotalSteps == 4 && double.IsFinite(s.Loss)));
        Assert.That(steps.Select(s => s.PreviewPng is not null), Is.EqualTo(new[] { false, true, false, true }), "a preview every 2 steps");
        Assert.That(events.Skip(steps.Count + 1).Select(e => e.GetType()), Is.EqualTo(new[] { typeof(TrainingResult), typeof(JobCompleted) }));
        Assert.That(events[0], Is.TypeOf<JobAccepted>());
        var result = events.OfType<TrainingResult>().Single();
        Assert.That(result.AdapterName, Is.EqualTo("brand"));
        Assert.That(result.FinalLoss, Is.EqualTo(steps[^1].Loss));
        Assert.That(result.Previews.Select(p => p.Seed), Is.EqualTo(new long[] { 11, 12 }));
        foreach (var pair in result.Previews)
            Assert.That(pair.AdaptedPng, Is.Not.EqualTo(pair.BasePng), $"seed {pair.Seed}: the adapter changes the render");
        Assert.That(result.Previews[0].BasePng, Is.Not.EqualTo(result.Previews[1].BasePng), "different seeds");

        string file = Path.Combine(data, "adapters", result.Sha256 + ".safetensors");
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), Is.EqualTo(result.Sha256));
        var summary = LoraAdapterFile.Inspect(file, BaseModelShapes.FromModelFolder(TestServer.ModelPath));
        Assert.That(summary.Rank, Is.EqualTo(4));
        Assert.That(FineTuneAdapterInfo.Read(file).TriggerWord, Is.EqualTo("zqbrand"));
        var record = await store.GetAsync("acme", "brand");
        Assert.That(record, Is.Not.Null);
        Assert.That(record!.Sha256, Is.EqualTo(result.Sha256));
        Assert.That(record.BaseModel, Is.EqualTo(TestServer.ModelName));
        Assert.That(await store.GetAsync("globex", "brand"), Is.Null, "registered to the submitting tenant only");

        // The worker runs one entry at a time: this render finishing means the fine-tune run has ended, cleanup included.
        var after = await RenderAsync("globex");
        Assert.That(after, Is.EqualTo(before), "another tenant's render is bit-identical after the fine-tune");
        Assert.That(Directory.Exists(Path.Combine(data, "finetunes", "set-a")), Is.False, "the training folder is removed");
        var branded = await RenderAsync("acme", new AdapterRef("brand", 1.0));
        Assert.That(branded, Is.Not.EqualTo(before), "the tenant can generate with its new adapter");
    }

    [Test]
    public async Task AReleasedFineTuneResumesOnAnotherWorkerFromItsCheckpointAndGivesTheSameAdapter()
    {
        // The uninterrupted run.
        var straight = new Observer();
        await using (var worker = Worker(straight))
        {
            worker.Start();
            var (refJob, refEntry) = FineTune("acme", "straight", "set-ref", steps: 6);
            WriteSet("set-ref");
            await queue.EnqueueAsync(refEntry);
            var refEvents = await EventsAsync(refJob);
            Assert.That(refEvents[^1], Is.TypeOf<JobCompleted>());
            Assert.That(straight.StartedAt, Is.EqualTo(new long[] { 0 }));
        }
        var reference = (await store.GetAsync("acme", "straight"))!.Sha256;

        // The same run, stopped after step 3 on the first worker.
        var first = new Observer();
        var second = new Observer();
        await using var workerA = Worker(first);
        Task<bool>? stopping = null;
        first.OnStep = step =>
        {
            // On the training thread: the stop request is made before the next step starts.
            if (step == 3) stopping = workerA.StopAsync(TimeSpan.Zero);
        };
        workerA.Start();
        var (job, entry) = FineTune("acme", "resumed", "set-b", steps: 6);
        WriteSet("set-b");
        await queue.EnqueueAsync(entry);
        await workerA.Stopped.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(await stopping!, Is.False, "the fine-tune was released, not finished");
        Assert.That(first.Steps, Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(LoraTrainer.LatestCheckpointStep(Path.Combine(data, "finetunes", "set-b", "checkpoints")), Is.EqualTo(3),
            "the trainer checkpointed the step it stopped at");
        Assert.That((await queue.GetJobAsync(job.Id))!.State, Is.EqualTo(JobState.Queued));

        await using var workerB = Worker(second);
        workerB.Start();
        var events = await EventsAsync(job);

        Assert.That(second.StartedAt, Is.EqualTo(new long[] { 3 }), "the second worker resumed from the checkpoint");
        Assert.That(second.Steps, Is.EqualTo(new long[] { 4, 5, 6 }));
        Assert.That(events.OfType<TrainingStep>().Select(s => s.Step), Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6 }));
        var result = events.OfType<TrainingResult>().Single();
        Assert.That(result.Sha256, Is.EqualTo(reference), "the resumed run's adapter equals the uninterrupted run's, byte for byte");
        Assert.That(events[^1], Is.TypeOf<JobCompleted>());
        Assert.That((await store.GetAsync("acme", "resumed"))!.Sha256, Is.EqualTo(reference));
        Assert.That(await workerB.StopAsync(TimeSpan.FromSeconds(120)), Is.True, "the run had ended: nothing to release");
        Assert.That(Directory.Exists(Path.Combine(data, "finetunes", "set-b")), Is.False);
    }

    [Test]
    public async Task ACancelledFineTuneStopsAndItsFolderIsRemoved()
    {
        var observer = new Observer();
        await using var worker = Worker(observer);
        var (job, entry) = FineTune("acme", "brand", "set-c", steps: 50);
        observer.OnStep = step =>
        {
            if (step == 2) queue.CancelAsync(job.Id, "acme").GetAwaiter().GetResult();
        };
        worker.Start();
        WriteSet("set-c");
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);
        Assert.That(await worker.StopAsync(TimeSpan.FromSeconds(120)), Is.True, "the run ended on its own, nothing was released");

        Assert.That(events[^1], Is.TypeOf<JobCancelled>());
        Assert.That(events.OfType<TrainingResult>(), Is.Empty);
        Assert.That(observer.Steps.Max(), Is.EqualTo(2), "training stopped at the step the cancel was seen");
        Assert.That(await store.GetAsync("acme", "brand"), Is.Null);
        Assert.That(Directory.Exists(Path.Combine(data, "finetunes", "set-c")), Is.False);
        Assert.That((await queue.QueueDepthAsync()).ClaimedEntries, Is.Zero, "the entry was acknowledged");
    }

    [Test]
    public async Task AMissingTrainingSetFailsTheJobOnceWithAClearMessage()
    {
        var observer = new Observer();
        await using var worker = Worker(observer);
        worker.Start();
        var (job, entry) = FineTune("acme", "brand", "never-written", steps: 4);
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);

        var failed = (JobFailed)events[^1];
        Assert.That(failed.Code, Is.EqualTo(JobErrorCode.NotFound));
        Assert.That(failed.Message, Does.Contain("training set 'never-written'").And.Contain("data directory"));
        var info = await queue.GetJobAsync(job.Id);
        Assert.That(info!.State, Is.EqualTo(JobState.Failed));
        Assert.That(info.Attempts, Is.EqualTo(1), "not retried");
        Assert.That(observer.StartedAt, Is.Empty);
    }

    [Test]
    public async Task ANameTheTenantAlreadyHasFailsTheJobBeforeTraining()
    {
        var existing = new AdapterRecord("acme", "brand", new string('a', 64), 1, "diffusers", TestServer.ModelName, 4, 4, 1,
            DateTimeOffset.UtcNow, "");
        Assert.That(await store.TryAddAsync(existing), Is.True);
        var observer = new Observer();
        await using var worker = Worker(observer);
        worker.Start();
        var (job, entry) = FineTune("acme", "brand", "set-d", steps: 4);
        WriteSet("set-d");
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);

        var failed = (JobFailed)events[^1];
        Assert.That(failed.Code, Is.EqualTo(JobErrorCode.InvalidArgument));
        Assert.That(failed.Message, Does.Contain("adapter name 'brand' already taken"));
        Assert.That(observer.Steps, Is.Empty, "no step was trained");
        Assert.That(await store.GetAsync("acme", "brand"), Is.EqualTo(existing), "the tenant's adapter is unchanged");
        await worker.StopAsync(TimeSpan.FromSeconds(120));
        Assert.That(Directory.Exists(Path.Combine(data, "finetunes", "set-d")), Is.False);
    }

    [Test]
    public async Task TheAllInOneServerTrainsFineTunesWithItsInProcessWorker()
    {
        await using var server = await TestServer.StartAsync();
        var (job, entry) = FineTune("acme", "brand", "set-s", steps: 2);
        WriteSet(server.DataDir, "set-s");
        await server.Server.Queue.EnqueueAsync(entry);
        var events = new List<JobEventBody>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await foreach (var e in server.Server.Queue.WatchAsync(job.Id, 0, timeout.Token)) events.Add(e.Body);

        Assert.That(events[^1], Is.TypeOf<JobCompleted>());
        var result = events.OfType<TrainingResult>().Single();
        Assert.That((await server.Server.Adapters.GetAsync("acme", "brand"))?.Sha256, Is.EqualTo(result.Sha256));
        Assert.That(File.Exists(Path.Combine(server.DataDir, "adapters", result.Sha256 + ".safetensors")), Is.True);
    }

    [Test]
    public async Task ALongRunReportsEveryNthStepAndAlwaysItsLast()
    {
        var observer = new Observer();
        await using var worker = Worker(observer, maxStepEvents: 2);
        worker.Start();
        var (job, entry) = FineTune("acme", "brand", "set-n", steps: 5);
        WriteSet("set-n");
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);

        Assert.That(observer.Steps, Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
        Assert.That(events.OfType<TrainingStep>().Select(s => s.Step), Is.EqualTo(new long[] { 3, 5 }), "at most 2 step events: every 3rd, and the last");
        Assert.That(events[^1], Is.TypeOf<JobCompleted>());
    }

    [TestCase(true, TestName = "A delivery after the registration (same file) completes without training again")]
    [TestCase(false, TestName = "A delivery after the last step whose name holds another file fails as taken")]
    public async Task ADeliveryThatFindsTheRunAlreadyTrained(bool sameFile)
    {
        // What a worker killed between registration and ack leaves: the final checkpoint and the tenant's record.
        var (job, entry) = FineTune("acme", "brand", "set-r", steps: 4);
        WriteSet("set-r");
        var run = entry.FineTune!;
        string folder = Path.Combine(data, "finetunes", "set-r");
        string sha;
        using (var trainer = new LoraTrainer(models.Get(TestServer.ModelName), TrainingSetFolder.Load(Path.Combine(folder, "set")), new LoraTrainingSpec
        {
            Rank = run.Rank, Alpha = run.Alpha, Steps = run.Steps, BatchSize = run.BatchSize, LearningRate = run.LearningRate, Seed = run.Seed,
            CheckpointEvery = run.CheckpointEvery, TriggerWord = run.TriggerWord, BaseModel = run.BaseModel,
        }))
        {
            trainer.Run(Path.Combine(folder, "checkpoints"));
            string file = Path.Combine(data, "trained.safetensors");
            trainer.SaveAdapter(file);
            sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }
        var record = new AdapterRecord("acme", "brand", sameFile ? sha : new string('b', 64), 1, "diffusers", TestServer.ModelName, 4, 4, 1,
            DateTimeOffset.UtcNow, "");
        Assert.That(await store.TryAddAsync(record), Is.True);

        var observer = new Observer();
        await using var worker = Worker(observer);
        worker.Start();
        await queue.EnqueueAsync(entry);
        var events = await EventsAsync(job);

        Assert.That(observer.StartedAt, Is.EqualTo(new long[] { 4 }), "the run starts at its last step");
        Assert.That(observer.Steps, Is.Empty, "no step is trained again");
        if (sameFile)
        {
            var result = events.OfType<TrainingResult>().Single();
            Assert.That(result.Sha256, Is.EqualTo(sha));
            Assert.That(double.IsFinite(result.FinalLoss));
            Assert.That(events[^1], Is.TypeOf<JobCompleted>());
            Assert.That(File.Exists(Path.Combine(data, "adapters", sha + ".safetensors")), Is.True, "the file is placed if it was not");
        }
        else
        {
            Assert.That(events[^1], Is.TypeOf<JobFailed>().With.Property(nameof(JobFailed.Message)).Contains("adapter name 'brand' already taken"));
            Assert.That(File.Exists(Path.Combine(data, "adapters", sha + ".safetensors")), Is.False, "nothing placed for a refused name");
        }
        Assert.That(await store.GetAsync("acme", "brand"), Is.EqualTo(record), "the record is left as it was");
    }

    private GenerationWorker Worker(Observer observer, int maxStepEvents = 1000) => new(queue, models,
        new WorkerOptions
        {
            ClaimWait = TimeSpan.FromMilliseconds(200), CancelCheckInterval = TimeSpan.Zero, Observer = observer,
            TrainingPreviewSteps = 2, TrainingPreviewScheduler = "euler", MaxTrainingStepEvents = maxStepEvents,
        },
        adapters: new WorkerAdapters(store, data, loras));

    /// <summary>The front end's part: the prepared set in <c>{data}/finetunes/{name}/set/</c>.</summary>
    private void WriteSet(string name) => WriteSet(data, name);

    private static void WriteSet(string dataDirectory, string name)
    {
        var examples = Enumerable.Range(0, 3).Select(i =>
        {
            var rgb = new byte[Size * Size * 3];
            for (int p = 0; p < Size * Size; p++)
            {
                bool stripe = (p % Size + p / Size + 7 * i) % 8 < 4;
                rgb[3 * p] = (byte)(stripe ? 230 : 20);
                rgb[3 * p + 1] = (byte)(stripe ? 180 : 90);
                rgb[3 * p + 2] = (byte)(40 * i);
            }
            return new TrainingExample(rgb, Size, $"zqbrand stripes {i}");
        }).ToList();
        TrainingSetFolder.Save(Path.Combine(dataDirectory, "finetunes", name, "set"), examples);
    }

    private static (JobSpec Job, QueueEntry Entry) FineTune(string tenant, string adapter, string set, int steps, int previewEvery = 0,
        long[]? seeds = null)
    {
        var samples = (seeds ?? [7]).Select((seed, i) => new SampleSpec("zqbrand stripes", "", seed, 5.0, [], i)).ToList();
        var job = new JobSpec(JobId.New(), tenant, JobPriority.Batch, null, null, DateTimeOffset.UtcNow, samples);
        var run = new FineTuneJobSpec(adapter, TestServer.ModelName, Rank: 4, Alpha: 4, Steps: steps, LearningRate: 1e-2, BatchSize: 1,
            Resolution: Size, Seed: 5, TriggerWord: "zqbrand", TrainTextEncoder: false, TrainingSet: set, ImageCount: 3, CheckpointEvery: 2,
            PreviewEvery: previewEvery);
        return (job, new QueueEntry(EntryKind.FineTune, JobPriority.Batch, null, [job], run));
    }

    private async Task<byte[]> RenderAsync(string tenant, params AdapterRef[] adapters)
    {
        var job = new JobSpec(JobId.New(), tenant, JobPriority.Interactive, null, null, DateTimeOffset.UtcNow,
            [new SampleSpec("zqbrand stripes", "", 3, 5.0, adapters, 0)]);
        await queue.EnqueueAsync(new QueueEntry(EntryKind.Generate, JobPriority.Interactive,
            new BatchSpec(new BatchKey(TestServer.ModelName, Size, Size, 2, "ddim", GenerationMode.TextToImage), 1, null, 0), [job]));
        var events = await EventsAsync(job);
        return events.OfType<JobImage>().Single().Png;
    }

    private async Task<List<JobEventBody>> EventsAsync(JobSpec job)
    {
        var events = new List<JobEventBody>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await foreach (var e in queue.WatchAsync(job.Id, 0, timeout.Token)) events.Add(e.Body);
        return events;
    }

    private sealed class Observer : IWorkerObserver
    {
        private readonly ConcurrentQueue<long> _started = new(), _steps = new();
        public Action<long>? OnStep { get; set; }
        public long[] StartedAt => _started.ToArray();
        public long[] Steps => _steps.ToArray();
        public void BatchStarted(int samples) { }
        public void StepCompleted(TimeSpan elapsed) { }
        public void ImagePublished() { }
        public void FineTuneStarted(long fromStep) => _started.Enqueue(fromStep);

        public void TrainingStepCompleted(long step)
        {
            _steps.Enqueue(step);
            OnStep?.Invoke(step);
        }
    }
}
