using GenArt.Api.V1;
using GenArt.Rpc;
using GenArt.Rpc.Client;

namespace GenArt.Cli;

/// <summary>Client side of FineTunes.Submit: the spec, then one message per training image.</summary>
public static class FineTuneSubmission
{
    /// <summary>
    /// Submits <paramref name="spec"/> and <paramref name="images"/>; reports the images sent so far. A server that
    /// refuses mid-stream ends the call early: its status is what this throws.
    /// </summary>
    /// <exception cref="RpcException">The server refused the submission or the call failed.</exception>
    public static async Task<FineTunesSubmitResponse> SubmitAsync(RpcChannel channel, CallOptions options, FineTuneSpec spec,
        IEnumerable<TrainingImage> images, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        using var call = channel.ClientStreaming(RemoteClient.SubmitFineTune, options);
        try
        {
            await call.RequestStream.WriteAsync(new FineTunesSubmitRequest { Spec = spec }, cancellationToken).ConfigureAwait(false);
            int sent = 0;
            foreach (var image in images)
            {
                // The server may already have answered (a refusal): stop sending and report its status.
                if (call.ResponseAsync.IsCompleted) break;
                await call.RequestStream.WriteAsync(new FineTunesSubmitRequest { Image = image }, cancellationToken).ConfigureAwait(false);
                progress?.Report(++sent);
            }
            if (!call.ResponseAsync.IsCompleted) await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A write failed because the server ended the call: its status is the reason (this await throws it).
            await call.ResponseAsync.ConfigureAwait(false);
            throw;
        }
        return await call.ResponseAsync.ConfigureAwait(false);
    }
}
