using System.Collections.Concurrent;

namespace GenArt.Jobs.Tests;

public abstract partial class JobQueueContractTests
{
    [Test]
    public async Task Concurrent_producers_and_consumers_deliver_and_complete_every_job_exactly_once()
    {
        const int producers = 8, consumers = 4, jobsPerProducer = 250, total = producers * jobsPerProducer;
        await UseOptions(Options with { MaxQueuedJobs = total });
        var deliveries = new ConcurrentDictionary<JobId, int>();
        var completed = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var done = new CancellationTokenSource();
        using var stopClaiming = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, done.Token);

        async Task Produce(int producer)
        {
            // Entries of one to three jobs, alternating priorities, as a coalescing front end would send.
            var sent = 0;
            while (sent < jobsPerProducer)
            {
                var size = Math.Min(1 + (sent + producer) % 3, jobsPerProducer - sent);
                var priority = (sent / 3 + producer) % 2 == 0 ? JobPriority.Interactive : JobPriority.Batch;
                var jobs = Enumerable.Range(0, size).Select(_ => TestData.Job(Clock, $"tenant-{producer}", priority)).ToArray();
                await Queue.EnqueueAsync(TestData.Entry(jobs), stop.Token);
                sent += size;
            }
        }

        async Task Consume(int consumer)
        {
            while (true)
            {
                Claim? claim;
                try
                {
                    // The clock never moves, so no lease lapses and a claim waits until work arrives or all is done.
                    claim = await Queue.ClaimAsync(EntryKind.Generate, $"gpu-{consumer}", TimeSpan.FromMinutes(1),
                        stopClaiming.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (claim is null)
                    continue;
                foreach (var job in claim.Entry.Jobs)
                {
                    deliveries.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
                    await Queue.PublishAsync(job.Id, new JobProgress(1, 1, null), stop.Token);
                    await Queue.PublishAsync(job.Id, new JobCompleted(), stop.Token);
                }
                Assert.That(await Queue.AckAsync(claim, stop.Token), Is.True);
                if (Interlocked.Add(ref completed, claim.Entry.Jobs.Count) == total)
                    await done.CancelAsync();
            }
        }

        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() => Produce(p)))
            .Concat(Enumerable.Range(0, consumers).Select(c => Task.Run(() => Consume(c))))
            .ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(completed, Is.EqualTo(total));
        Assert.That(deliveries, Has.Count.EqualTo(total));
        Assert.That(deliveries.Values, Is.All.EqualTo(1));
        var depth = await Queue.QueueDepthAsync();
        Assert.That((depth.QueuedJobs, depth.ClaimedEntries, depth.DeadLetters), Is.EqualTo((0, 0, 0)));
        foreach (var id in deliveries.Keys.Take(50))
        {
            var info = await Info(id);
            Assert.That((info.State, info.Attempts, info.LastSequence), Is.EqualTo((JobState.Succeeded, 1, 3L)));
        }
    }
}
