using System.Buffers;

namespace GenArt.Redis.Tests.Infrastructure;

/// <summary>Builds multi-segment buffers, as a socket read would deliver a reply in pieces.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Of(params byte[][] pieces)
    {
        var nonEmpty = pieces.Where(p => p.Length > 0).ToArray();
        if (nonEmpty.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        for (int i = 1; i < nonEmpty.Length; i++) last = last.Append(nonEmpty[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, int at) => Of(bytes[..at], bytes[at..]);

    public static ReadOnlySequence<byte> Bytewise(byte[] bytes) => Of(bytes.Select(b => new[] { b }).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
