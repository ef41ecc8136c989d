using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Rpc.Server;

namespace GenArt.Server.Services;

public sealed partial class GenerationService
{
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
