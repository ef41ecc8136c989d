using System.Buffers;
using System.Buffers.Text;

namespace GenArt.Redis.Internal;

/// <summary>
/// Encodes commands the way every client sends them: an array of bulk strings
/// (RESP spec, "Sending commands to a Redis server").
/// </summary>
internal static class RespWriter
{
    public static void WriteCommand(IBufferWriter<byte> writer, RedisValue[] parts)
    {
        WriteHeader(writer, (byte)'*', parts.Length);
        foreach (var part in parts)
        {
            int length = part.ByteCount;
            WriteHeader(writer, (byte)'$', length);
            var span = writer.GetSpan(length + 2);
            int written = part.CopyTo(span);
            span[written] = (byte)'\r';
            span[written + 1] = (byte)'\n';
            writer.Advance(written + 2);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte type, long value)
    {
        var span = writer.GetSpan(24);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out int digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        writer.Advance(3 + digits);
    }
}
