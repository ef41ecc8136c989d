namespace GenArt.Jobs.Tests;

/// <summary>Small valid entries to vary one field at a time.</summary>
internal static class TestData
{
    internal static readonly byte[] TinyPng = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];

    internal static BatchSpec Batch(GenerationMode mode = GenerationMode.TextToImage) => new(
        new BatchKey("sd15", 512, 512, 20, "euler_a", mode),
        mode == GenerationMode.ImageToImage ? 0.6 : 1.0,
        mode == GenerationMode.ImageToImage ? TinyPng : null,
        ClipSkip: 0);

    internal static SampleSpec Sample(int index = 0, long seed = 42) =>
        new("a lighthouse at dusk", "blurry", seed, 7.5, [new AdapterRef("acme-style", 0.8)], index);

    internal static JobSpec Job(
        TimeProvider clock,
        string tenant = "acme",
        JobPriority priority = JobPriority.Interactive,
        string? key = null,
        DateTimeOffset? deadline = null,
        int samples = 1) =>
        new(JobId.New(clock), tenant, priority, key, deadline, clock.GetUtcNow(),
            Enumerable.Range(0, samples).Select(i => Sample(i, 1000 + i)).ToArray());

    internal static QueueEntry Entry(params JobSpec[] jobs) =>
        new(EntryKind.Generate, jobs[0].Priority, Batch(), jobs);

    internal static FineTuneJobSpec FineTuneRun() => new(
        "acme-style", "genart-tiny", Rank: 8, Alpha: 8, Steps: 300, LearningRate: 1e-3, BatchSize: 2, Resolution: 64,
        Seed: 7, TriggerWord: "acmestyle", TrainTextEncoder: false, TrainingSet: "01JF00000000000000000000AB", ImageCount: 20,
        CheckpointEvery: 50, PreviewEvery: 100);

    /// <summary>A fine-tune entry: one job whose samples are the preview renders.</summary>
    internal static QueueEntry FineTuneEntry(TimeProvider clock, string tenant = "acme", JobPriority priority = JobPriority.Batch) =>
        new(EntryKind.FineTune, priority, null,
            [Job(clock, tenant, priority, samples: 2) with
            {
                Samples = [new SampleSpec("acmestyle a hexagon", "", 1, 7.5, [], 0), new SampleSpec("acmestyle a circle", "", 2, 7.5, [], 1)],
            }],
            FineTuneRun());

    internal static QueueEntry Entry(TimeProvider clock, JobPriority priority = JobPriority.Interactive, int jobs = 1) =>
        Entry(Enumerable.Range(0, jobs).Select(_ => Job(clock, priority: priority)).ToArray());
}
