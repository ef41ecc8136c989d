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

    internal static QueueEntry Entry(TimeProvider clock, JobPriority priority = JobPriority.Interactive, int jobs = 1) =>
        Entry(Enumerable.Range(0, jobs).Select(_ => Job(clock, priority: priority)).ToArray());
}
