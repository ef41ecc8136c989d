using GenArt.Api.V1;
using GenArt.Rpc;
using GenArt.Rpc.Client;
using Google.Protobuf;

namespace GenArt.Cli;

/// <summary>Client side of Adapters.Upload: the metadata message, then the file in chunks.</summary>
public static class AdapterUpload
{
    /// <summary>Chunk size: a quarter of the server's default 4 MiB message limit.</summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>
    /// Uploads <paramref name="content"/> (read to its end) with <paramref name="metadata"/>; reports the bytes sent so far.
    /// A server that refuses mid-stream ends the call early: its status is what this throws.
    /// </summary>
    /// <exception cref="RpcException">The server refused the upload or the call failed.</exception>
    public static async Task<Adapter> UploadAsync(RpcChannel channel, CallOptions options, AdapterUploadMetadata metadata, Stream content,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var call = channel.ClientStreaming(RemoteClient.UploadAdapter, options);
        try
        {
            await call.RequestStream.WriteAsync(new AdaptersUploadRequest { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[ChunkBytes];
            long sent = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                // The server may already have answered (a refusal): stop sending and report its status.
                if (call.ResponseAsync.IsCompleted) break;
                await call.RequestStream.WriteAsync(new AdaptersUploadRequest { Chunk = ByteString.CopyFrom(buffer, 0, read) }, cancellationToken)
                    .ConfigureAwait(false);
                sent += read;
                progress?.Report(sent);
            }
            if (!call.ResponseAsync.IsCompleted) await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A write failed because the server ended the call: its status is the reason (this await throws it).
            await call.ResponseAsync.ConfigureAwait(false);
            throw;
        }
        return (await call.ResponseAsync.ConfigureAwait(false)).Adapter;
    }
}
