using System.Diagnostics;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Rpc;
using JobEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Integration.Tests;

/// <summary>Workers that die: kill -9 mid-batch, a poison job that crashes every worker that claims it, SIGTERM.</summary>
[NonParallelizable]
public sealed class WorkerFailureTests
{
    [Test, CancelAfter(240_000)]
    public async Task KillingAWorkerMidBatchLosesNoJobAndDuplicatesNoImage()
    {
        // Leases lapse 3 s after a worker stops heartbeating; the entry then goes to the other worker.
        await using var cluster = new Cluster(["--visibility-timeout", "3s", "--max-deliveries", "5"]);
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "20", "--max-batch", "4");
        var victim = await cluster.StartWorkerAsync();
        var survivor = await cluster.StartWorkerAsync();
        var client = cluster.Client(port);

        const int Jobs = 50;
        var calls = Enumerable.Range(0, Jobs).Select(i =>
        {
            uint images = (uint)(1 + i % 2);
            return (Images: images, Task: Task.Run(async () =>
            {
                using var call = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request($"shape {i}", steps: 6, seed: (ulong)i, images: images), cluster.Options());
                return await Cluster.DrainAsync(call);
            }));
        }).ToList();

        // The victim's second claim: models are warm and it is inside a batch it has not acknowledged.
        var (_, next) = await victim.WaitForLineAsync(Cluster.ClaimedEntry(), TimeSpan.FromSeconds(120));
        var (claimed, _) = await victim.WaitForLineAsync(Cluster.ClaimedEntry(), TimeSpan.FromSeconds(120), next);
        await victim.KillHardAsync();
        string lostEntry = claimed.Groups[1].Value;

        var results = await Task.WhenAll(calls.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(200));
        for (int i = 0; i < Jobs; i++)
        {
            var (events, status) = results[i];
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), $"job {i}: {status.Detail}\n{survivor.Tail()}");
            var indexes = events.Where(e => e.Image is not null).Select(e => e.Image.Index).ToList();
            Assert.That(indexes, Is.EquivalentTo(Enumerable.Range(0, (int)calls[i].Images).Select(x => (uint)x)), $"job {i}: each image exactly once");
            Assert.That(events.Select(e => e.Sequence), Is.Unique.And.Ordered.Ascending, $"job {i}: no event twice");
        }
        // The entry the victim held was delivered again, to the survivor.
        Assert.That(survivor.Output, Does.Match($@"Claimed entry {System.Text.RegularExpressions.Regex.Escape(lostEntry)} \(delivery [2-9]\)"), survivor.Tail());
    }

    [Test, CancelAfter(240_000)]
    public async Task APoisonJobIsDeadLetteredAfterItsDeliveriesAndOtherJobsFinish()
    {
        const int MaxDeliveries = 2;
        var crash = new Dictionary<string, string> { ["GENART_FAULT_CRASH_ON_PROMPT"] = "poison" };
        await using var cluster = new Cluster(["--visibility-timeout", "2s", "--max-deliveries", MaxDeliveries.ToString()]);
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        var workers = new List<ChildProcess> { await cluster.StartWorkerAsync(crash), await cluster.StartWorkerAsync(crash) };
        var client = cluster.Client(port);

        // A supervisor, as an orchestrator would be: a worker that dies is replaced.
        int crashes = 0;
        using var stop = new CancellationTokenSource();
        var supervisor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var exited = await Task.WhenAny(workers.Select(w => w.Exited).Append(Task.Delay(Timeout.Infinite, stop.Token)));
                if (stop.IsCancellationRequested) break;
                var dead = workers.Single(w => w.Exited == exited);
                Assert.That(dead.Output, Does.Contain("fault injection"), "the worker died of the injected fault");
                crashes++;
                workers.Remove(dead);
                workers.Add(await cluster.StartWorkerAsync(crash));
            }
        });

        using var poisonCall = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request("poison", steps: 3), cluster.Options());
        var poison = Cluster.DrainAsync(poisonCall);
        var others = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            using var call = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request($"fine {i}", steps: 3, seed: (ulong)i), cluster.Options());
            return await Cluster.DrainAsync(call);
        })).ToList();

        var (poisonEvents, poisonStatus) = await poison.WaitAsync(TimeSpan.FromSeconds(180));
        foreach (var (events, status) in await Task.WhenAll(others).WaitAsync(TimeSpan.FromSeconds(180)))
        {
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
        }
        await stop.CancelAsync();
        await supervisor.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.That(poisonStatus.StatusCode, Is.Not.EqualTo(StatusCode.OK).And.Not.EqualTo(StatusCode.Unknown).And.Not.EqualTo(StatusCode.Internal));
        string jobId = poisonEvents[0].JobId;
        Assert.That(poisonStatus.Detail, Does.Contain(jobId).And.Contain("dead-letter"), "the error names the job and what happened to it");
        Assert.That(poisonEvents.Any(e => e.Image is not null), Is.False);
        Assert.That(crashes, Is.EqualTo(MaxDeliveries), "each delivery crashed one worker, and then it was given up");
        var job = await client.Channel.UnaryAsync(RemoteClient.Get, new GetJobRequest { JobId = jobId }, cluster.Options());
        Assert.That(job.Job.State, Is.EqualTo(JobState.Failed));
    }

    [Test, CancelAfter(180_000)]
    public async Task SigtermLetsTheBatchInProgressFinishAndExitsZero()
    {
        await using var cluster = new Cluster(["--visibility-timeout", "10s"]);
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        var worker = await cluster.StartWorkerAsync(null, "--grace-period", "60s");
        var client = cluster.Client(port);

        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request("slow", steps: 40), cluster.Options());
        var events = new List<JobEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            events.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.Progress is not null) break; // the worker is inside the batch
        }
        worker.Signal(ChildProcess.SIGTERM);
        var (_, status) = await Cluster.DrainAsync(call, events);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail + "\n" + worker.Tail());
        Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
        Assert.That(await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)), Is.Zero, worker.Tail());
        Assert.That(worker.Output, Does.Contain("the work in progress finished"));
    }

    [Test, CancelAfter(180_000)]
    public async Task SigtermPastTheGracePeriodReleasesTheBatchToAnotherWorker()
    {
        await using var cluster = new Cluster(["--visibility-timeout", "30s"]);
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        var leaving = await cluster.StartWorkerAsync(null, "--grace-period", "0s");
        var client = cluster.Client(port);

        using var call = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request("released", steps: 60), cluster.Options());
        var events = new List<JobEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            events.Add(call.ResponseStream.Current);
            if (call.ResponseStream.Current.Progress is not null) break;
        }
        var watch = Stopwatch.StartNew();
        leaving.Signal(ChildProcess.SIGTERM);
        Assert.That(await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.Zero, leaving.Tail());
        Assert.That(leaving.Output, Does.Contain("released to the queue"));
        // Released, not lapsed: the next worker gets it at once, long before the 30 s visibility timeout.
        var taker = await cluster.StartWorkerAsync();
        var (_, status) = await Cluster.DrainAsync(call, events);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail + "\n" + taker.Tail());
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the entry did not wait for its lease to lapse");
        Assert.That(taker.Output, Does.Match(@"Claimed entry \S+ \(delivery 2\)"));
        Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
    }
}
