using System.Buffers;
using System.IO.Pipelines;

namespace GenArt.Redis.Internal;

/// <summary>Reads whole replies from a pipe, however the bytes were split across reads.</summary>
internal sealed class RespReplyReader(PipeReader input, RespLimits limits)
{
    /// <summary>The next reply, or null when the stream ended cleanly between replies.</summary>
    public async ValueTask<RedisReply?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var reader = new SequenceReader<byte>(buffer);
                bool complete;
                RedisReply? reply;
                try
                {
                    complete = RespParser.TryParse(ref reader, limits, out reply);
                }
                catch
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    throw;
                }
                if (complete)
                {
                    input.AdvanceTo(reader.Position);
                    return reply;
                }
            }
            // Nothing complete yet: keep everything, but mark it examined so the next read waits for new bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled) throw new OperationCanceledException("Reply read was cancelled.");
            if (result.IsCompleted)
            {
                if (buffer.IsEmpty) return null;
                throw new RedisProtocolException($"RESP protocol error: the stream ended inside a reply ({buffer.Length} bytes unparsed).");
            }
        }
    }
}
