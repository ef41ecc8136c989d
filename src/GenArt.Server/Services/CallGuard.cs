using GenArt.Rpc;
using GenArt.Rpc.Server;
using Microsoft.Extensions.Logging;

namespace GenArt.Server.Services;

/// <summary>
/// Runs a service handler, records its final status in the metrics, and maps every failure through
/// <see cref="StatusMapping"/>, so each service reports and refuses the same way.
/// </summary>
internal sealed class CallGuard(ServerMetrics metrics, ILogger logger)
{
    public async Task Run(string method, ServerCallContext context, Func<Task> handler)
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

    public async Task<T> Run<T>(string method, ServerCallContext context, Func<Task<T>> handler)
    {
        T result = default!;
        await Run(method, context, async () => { result = await handler().ConfigureAwait(false); }).ConfigureAwait(false);
        return result;
    }
}
