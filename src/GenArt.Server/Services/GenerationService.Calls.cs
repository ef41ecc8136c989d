using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;

namespace GenArt.Server.Services;

public sealed partial class GenerationService
{
    /// <summary>Runs a handler, records its final status, and maps every failure through <see cref="StatusMapping"/>.</summary>
    private async Task Guard(string method, ServerCallContext context, Func<Task> handler)
    {
        try
        {
            await handler().ConfigureAwait(false);
            metrics.RequestFinished(method, StatusCode.OK);
        }
        catch (Exception e)
        {
            var rpc = StatusMapping.ToRpcException(e, context, logger);
            metrics.RequestFinished(method, rpc.StatusCode);
            throw rpc;
        }
    }

    private async Task<T> Guard<T>(string method, ServerCallContext context, Func<Task<T>> handler)
    {
        T result = default!;
        Func<Task> run = async () => { result = await handler().ConfigureAwait(false); };
        await Guard(method, context, run).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The caller of <paramref name="id"/> went away before its end. Unless a WatchJob attaches within
    /// <see cref="ServerOptions.AbandonGrace"/>, the job is cancelled, so a device does not render for nobody.
    /// </summary>
    private void Abandon(JobId id, string tenant)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                if (options.AbandonGrace > TimeSpan.Zero) await Task.Delay(options.AbandonGrace, _time).ConfigureAwait(false);
                if (_reattached.TryRemove(id, out _)) return;
                var state = await queue.CancelAsync(id, tenant).ConfigureAwait(false);
                if (state == JobState.Cancelled) ServerLog.Abandoned(logger, id.Value, tenant);
            }
            catch (Exception e)
            {
                ServerLog.AbandonFailed(logger, id.Value, e);
            }
        });
    }
}
