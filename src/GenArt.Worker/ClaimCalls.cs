using System.Diagnostics;
using GenArt.Jobs;
using Microsoft.Extensions.Logging;

namespace GenArt.Worker;

/// <summary>
/// The queue calls a worker makes for one claim, with the same failure handling for a generation batch and a
/// fine-tune: heartbeats that never throw, and publishes that retry through a queue outage.
/// </summary>
internal sealed class ClaimCalls(IJobQueue queue, Claim claim, WorkerOptions options, ILogger logger, CancellationToken stopping)
{
    /// <summary>Renews the claim's lease; cancels <paramref name="lost"/> when the queue says the claim is gone.</summary>
    public void Heartbeat(CancellationTokenSource lost)
    {
        try
        {
            if (!queue.HeartbeatAsync(claim).GetAwaiter().GetResult()) lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the run finished between the tick and this call
        }
        catch (Exception e)
        {
            WorkerLog.LoopError(logger, e); // a missed heartbeat is retried at the next tick
        }
    }

    public void Publish(JobId job, JobEventBody body) => PublishAll([(job, body)]);

    /// <summary>
    /// Publishes events in order in one queue call, retrying a failed call (the queue's server restarting, a dropped
    /// connection) for up to <see cref="WorkerOptions.PublishRetryWindow"/>. An event is never skipped: when the window
    /// passes, the run stops without an ack and the queue redelivers the entry, where dedup keys make the repeated
    /// events harmless. Events of a job that expired or was removed are dropped: nobody can watch it any more.
    /// </summary>
    public void PublishAll(List<(JobId JobId, JobEventBody Body)> events)
    {
        long started = Stopwatch.GetTimestamp();
        for (int attempt = 1; events.Count > 0; attempt++)
        {
            try
            {
                Wait(queue.PublishAllAsync(events));
                return;
            }
            catch (JobNotFoundException e)
            {
                events = events.Where(x => x.JobId != e.JobId).ToList();
            }
            catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
            {
                WorkerLog.PublishFailed(logger, events[0].JobId.Value, e);
                if (Stopwatch.GetElapsedTime(started) >= options.PublishRetryWindow) throw;
                if (stopping.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Min(100 * attempt, 1000))))
                    throw new OperationCanceledException(stopping);
            }
        }
    }

    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
