using System.Text.RegularExpressions;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Jobs;
using GenArt.Jobs.Redis;
using GenArt.Redis;

namespace GenArt.Integration.Tests;

/// <summary>A fine-tune on the Redis queue survives kill -9 of its worker: another worker resumes it from the last
/// checkpoint in the shared data directory, finishes it, and registers the adapter.</summary>
[NonParallelizable]
public sealed partial class FineTuneWorkerTests
{
    private const int Steps = 60;

    [Test, CancelAfter(300_000)]
    public async Task AFineTuneWhoseWorkerIsKilledResumesFromItsCheckpointOnAnotherWorker()
    {
        // Leases lapse 3 s after a worker stops heartbeating; the entry then goes to the next worker that asks.
        await using var cluster = new Cluster(["--visibility-timeout", "3s"]);
        await cluster.StartRedisAsync();
        await cluster.StartServeAsync();
        var victim = await cluster.StartWorkerAsync(null, "--data", cluster.Dir, "--kinds", "finetune");
        await using var queue = await RedisJobQueue.ConnectAsync(RedisOptions.Parse(cluster.RedisUri),
            new JobQueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(3) });

        // The front end's part: the prepared set in the shared data directory, then the entry.
        TrainingSetFolder.Save(Path.Combine(cluster.Dir, "finetunes", "set-k", "set"), Examples());
        var job = new JobSpec(JobId.New(), "acme", JobPriority.Batch, null, null, DateTimeOffset.UtcNow,
            [new SampleSpec("zqbrand stripes", "", 4, 5.0, [], 0)]);
        var run = new FineTuneJobSpec("stripes", Cluster.ModelName, Rank: 4, Alpha: 4, Steps: Steps, LearningRate: 1e-2, BatchSize: 1,
            Resolution: 32, Seed: 9, TriggerWord: "zqbrand", TrainTextEncoder: false, TrainingSet: "set-k", ImageCount: 3, CheckpointEvery: 2,
            PreviewEvery: 0);
        await queue.EnqueueAsync(new QueueEntry(EntryKind.FineTune, JobPriority.Batch, null, [job], run));

        // A training step at or past 2 means the victim has written the step-2 checkpoint (it checkpoints, then reports).
        var events = new List<JobEventBody>();
        using var watchTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await using var watch = queue.WatchAsync(job.Id, 0, watchTimeout.Token).GetAsyncEnumerator(watchTimeout.Token);
        while (await watch.MoveNextAsync())
        {
            events.Add(watch.Current.Body);
            if (watch.Current.Body is TrainingStep { Step: >= 2 }) break;
            Assert.That(watch.Current.Body.IsTerminal, Is.False, $"the job ended before the kill:\n{victim.Tail()}");
        }
        await victim.KillHardAsync();
        long lastByVictim = events.OfType<TrainingStep>().Max(s => s.Step);
        Assert.That(lastByVictim, Is.LessThan(Steps), "the kill came mid-run");

        var survivor = await cluster.StartWorkerAsync(null, "--data", cluster.Dir);
        while (await watch.MoveNextAsync()) events.Add(watch.Current.Body);

        var (resumed, _) = await survivor.WaitForLineAsync(Resumed(), TimeSpan.FromSeconds(60));
        long resumeStep = long.Parse(resumed.Groups[1].Value);
        Assert.That(resumeStep, Is.GreaterThanOrEqualTo(2), "the survivor did not start at step 1");
        Assert.That(resumeStep % 2, Is.Zero, "a checkpoint step");
        Assert.That(events[^1], Is.TypeOf<JobCompleted>(), survivor.Tail());
        Assert.That(events.OfType<TrainingStep>().Select(s => s.Step), Is.EqualTo(Enumerable.Range(1, Steps).Select(i => (long)i)),
            "every step reported once: steps the survivor repeated were dropped as duplicates");
        var result = events.OfType<TrainingResult>().Single();

        // The adapter is registered to the tenant, its file at its content address; the training folder is gone once
        // the survivor logs the completion.
        await survivor.WaitForLineAsync(Completed(), TimeSpan.FromSeconds(60));
        var record = await new RedisAdapterStore(queue.Client, "genart:").GetAsync("acme", "stripes");
        Assert.That(record, Is.Not.Null);
        Assert.That(record!.Sha256, Is.EqualTo(result.Sha256));
        Assert.That(File.Exists(Path.Combine(cluster.Dir, "adapters", result.Sha256 + ".safetensors")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(cluster.Dir, "finetunes", "set-k")), Is.False);
        Assert.That(survivor.Output, Does.Match(@"Claimed fine-tune entry \S+ \(delivery 2\)"), survivor.Tail());
    }

    private static List<TrainingExample> Examples() => Enumerable.Range(0, 3).Select(i =>
    {
        const int size = 32;
        var rgb = new byte[size * size * 3];
        for (int p = 0; p < size * size; p++)
        {
            bool stripe = (p % size + 5 * i) % 8 < 4;
            rgb[3 * p] = (byte)(stripe ? 220 : 30);
            rgb[3 * p + 1] = (byte)(stripe ? 170 : 60);
            rgb[3 * p + 2] = (byte)(60 * i);
        }
        return new TrainingExample(rgb, size, $"zqbrand stripes {i}");
    }).ToList();

    [GeneratedRegex(@"resumes from its checkpoint at step (\d+) of")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"Fine-tune job \S+ completed: adapter stripes registered to acme")]
    private static partial Regex Completed();
}
