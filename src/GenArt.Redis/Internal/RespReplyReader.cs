using System.Buffers;
using System.IO.Pipelines;

namespace GenArt.Redis.Internal;

/// <summary>Reads whole replies from a pipe, however the bytes were split across reads.</summary>
/// <remarks>
/// Each read first extends a resumable scan for the end of the next reply (<see cref="RespParser.TryFindReplyEnd"/>);
/// only a complete reply is parsed, so a reply arriving in many pieces costs time linear in its size.
/// </remarks>
internal sealed class RespReplyReader(PipeReader input, RespLimits limits)
{
    private readonly RespScanState _scan = new();

    /// <summary>The next reply, or null when the stream ended cleanly between replies.</summary>
    public async ValueTask<RedisReply?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            RedisReply? reply = null;
            long length = 0;
            try
            {
                if (!buffer.IsEmpty && RespParser.TryFindReplyEnd(buffer, limits, _scan, out length))
                    reply = Parse(buffer.Slice(0, length));
            }
            catch
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (reply is not null)
            {
                input.AdvanceTo(buffer.GetPosition(length));
                return reply;
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

    private RedisReply Parse(ReadOnlySequence<byte> frame)
    {
        var reader = new SequenceReader<byte>(frame);
        if (!RespParser.TryParse(ref reader, limits, out var reply) || reader.Consumed != frame.Length)
            throw new RedisProtocolException($"RESP protocol error: a reply framed as {frame.Length} bytes did not parse as exactly one reply.");
        return reply;
    }
}
