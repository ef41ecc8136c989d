using GenArt.Jobs;

namespace GenArt.Cli;

/// <summary>
/// Whether the queue answers, checked every two seconds in the background, for a front end's <c>/readyz</c>:
/// a front end whose Redis is down is taken out of a load balancer's rotation and put back when it returns.
/// </summary>
internal sealed class QueueProbe : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _reachable = true; // the queue had just connected when the probe started

    public QueueProbe(IJobQueue queue)
    {
        _ = RunAsync(queue, _stop.Token);
    }

    public bool Reachable => _reachable;

    private async Task RunAsync(IJobQueue queue, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await queue.QueueDepthAsync(ct).ConfigureAwait(false);
                    _reachable = true;
                }
                catch (Exception e) when (e is not OperationCanceledException and not ObjectDisposedException)
                {
                    _reachable = false;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // stopped
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
