using GenArt.Jobs;
using GenArt.Server.Admission;

namespace GenArt.Server.Tests;

/// <summary>When the coalescing window holds a request and when it does not.</summary>
public sealed class BatchCoalescerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly BatchSpec Spec = new(new BatchKey("m", 128, 128, 10, "ddim", GenerationMode.TextToImage), 1, null, 0);

    private static JobSpec Job(string prompt) => new(
        JobId.New(), "acme", JobPriority.Interactive, null, null, DateTimeOffset.UtcNow,
        [new SampleSpec(prompt, "", 1, 7.5, [], 0)]);

    private static (InProcessJobQueue Queue, BatchCoalescer Coalescer) Create(int maxBatch)
    {
        var queue = new InProcessJobQueue(new JobQueueOptions());
        // An hour-long window: anything enqueued during a test was enqueued by something other than the window.
        var options = new ServerOptions { CoalesceWindow = TimeSpan.FromHours(1), MaxBatchSamples = maxBatch };
        return (queue, new BatchCoalescer(queue, options, new ServerMetrics()));
    }

    [Test]
    public async Task ALoneRequestOnAnIdleQueueIsEnqueuedWithoutWaitingForTheWindow()
    {
        var (queue, coalescer) = Create(maxBatch: 8);
        await using var _ = queue;
        var result = await coalescer.SubmitAsync(Spec, JobPriority.Interactive, Job("alone")).WaitAsync(Bound);
        Assert.That(result.IsNew, Is.True);
        Assert.That((await queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(1));
    }

    [Test]
    public async Task RequestsArrivingWhileABatchRunsWaitForTheWindowOrAFullBatch()
    {
        var (queue, coalescer) = Create(maxBatch: 3);
        await using var _ = queue;
        await coalescer.SubmitAsync(Spec, JobPriority.Interactive, Job("running")).WaitAsync(Bound);
        var claim = await queue.ClaimAsync(EntryKind.Generate, "gpu-a", TimeSpan.Zero);
        Assert.That(claim, Is.Not.Null);

        var first = coalescer.SubmitAsync(Spec, JobPriority.Interactive, Job("a"));
        var second = coalescer.SubmitAsync(Spec, JobPriority.Interactive, Job("b"));
        Assert.That((await queue.QueueDepthAsync()).QueuedJobs, Is.Zero, "held by the window while a batch runs");
        Assert.That(first.IsCompleted || second.IsCompleted, Is.False);

        var third = coalescer.SubmitAsync(Spec, JobPriority.Interactive, Job("c")); // fills the batch of 3
        await Task.WhenAll(first, second, third).WaitAsync(Bound);
        var next = await queue.ClaimAsync(EntryKind.Generate, "gpu-b", TimeSpan.Zero);
        Assert.That(next!.Entry.Jobs.Select(j => j.Samples[0].Prompt), Is.EqualTo(new[] { "a", "b", "c" }));
    }
}
