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

    [Test]
    public async Task Redelivered_batches_still_give_each_job_one_result()
    {
        const int entries = 100, consumers = 4;
        await UseOptions(Options with { MaxQueuedJobs = entries * 2 });
        var ids = new List<JobId>();
        for (var i = 0; i < entries; i++)
            ids.AddRange((await Queue.EnqueueAsync(TestData.Entry(Clock, jobs: 2))).Select(r => r.JobId));
        var remaining = entries;
        using var done = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(done.Token);
        stop.CancelAfter(TimeSpan.FromSeconds(30));

        async Task Consume(int consumer)
        {
            while (true)
            {
                Claim? claim;
                try
                {
                    claim = await Queue.ClaimAsync(EntryKind.Generate, $"gpu-{consumer}", TimeSpan.FromMinutes(1), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (claim is null)
                    continue;
                // Every first delivery gets half-way and then fails, so every step is published twice.
                foreach (var job in claim.Entry.Jobs)
                {
                    await Queue.PublishAsync(job.Id, new JobProgress(1, 2, null));
                    await Queue.PublishAsync(job.Id, new JobImage(0, [1], 1, "{}"));
                }
                if (claim.DeliveryCount == 1)
                {
                    await Queue.FailDeliveryAsync(claim, new JobError(JobErrorCode.Unavailable, "driver reset"));
                    continue;
                }
                foreach (var job in claim.Entry.Jobs)
                {
                    await Queue.PublishAsync(job.Id, new JobProgress(2, 2, null));
                    await Queue.PublishAsync(job.Id, new JobCompleted());
                }
                await Queue.AckAsync(claim);
                if (Interlocked.Decrement(ref remaining) == 0)
                    await done.CancelAsync();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, consumers).Select(c => Task.Run(() => Consume(c)))).WaitAsync(Bound * 3);

        Assert.That(remaining, Is.Zero);
        foreach (var id in ids)
        {
            var events = await Events(id);
            Assert.That(events.Select(e => e.Body.GetType().Name),
                Is.EqualTo(new[] { "JobAccepted", "JobProgress", "JobImage", "JobProgress", "JobCompleted" }), $"job {id}");
            var info = await Info(id);
            Assert.That((info.State, info.Attempts, info.ImagesReady), Is.EqualTo((JobState.Succeeded, 2, 1)));
        }
    }
}
