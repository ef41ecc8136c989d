using System.Buffers;

namespace GenArt.Redis.Internal;

/// <summary>Where a scan for the end of the next reply stopped, so the next scan resumes there.</summary>
internal sealed class RespScanState
{
    /// <summary>Bytes from the start of the buffer already known to belong to the reply.</summary>
    public long Offset;

    /// <summary>For each open aggregate, how many elements it still needs (innermost on top).</summary>
    public readonly Stack<long> Open = new();

    public void Reset()
    {
        Offset = 0;
        Open.Clear();
    }
}

internal static partial class RespParser
{
    /// <summary>
    /// Finds where the next reply ends without building it, resuming from <paramref name="state"/>.
    /// </summary>
    /// <remarks>
    /// A large reply (XRANGE over a long stream) arrives over many socket reads. Parsing it from the start after
    /// each read would cost time quadratic in its size; this scan only walks the frame headers, skips bulk
    /// payloads, and remembers how far it got, so each byte is looked at about once. Once the end is known the
    /// reply is parsed exactly once. Framing errors are raised here with the same messages as the parser's.
    /// </remarks>
    public static bool TryFindReplyEnd(in ReadOnlySequence<byte> buffer, in RespLimits limits, RespScanState state, out long length)
    {
        length = 0;
        var r = new SequenceReader<byte>(buffer);
        r.Advance(state.Offset);
        var open = state.Open;
        while (true)
        {
            long frameStart = r.Consumed;
            if (!TryScanFrame(ref r, limits, open, out bool completesValue))
            {
                state.Offset = frameStart;
                return false;
            }
            if (!completesValue) continue;

            // A value completed: it counts towards its parent, which may complete in turn.
            while (true)
            {
                if (open.Count == 0)
                {
                    length = r.Consumed;
                    state.Reset();
                    return true;
                }
                long remaining = open.Pop() - 1;
                if (remaining > 0)
                {
                    open.Push(remaining);
                    break;
                }
            }
        }
    }

    /// <summary>Reads one frame header (and skips a bulk payload). Opens an aggregate instead of completing a value when it has elements.</summary>
    private static bool TryScanFrame(ref SequenceReader<byte> r, in RespLimits limits, Stack<long> open, out bool completesValue)
    {
        completesValue = true;
        if (!r.TryRead(out byte type)) return false;
        switch (type)
        {
            case (byte)'+':
                return TryReadLine(ref r, limits.MaxLineLength, "simple string", out _);
            case (byte)'-':
                return TryReadLine(ref r, limits.MaxLineLength, "error", out _);
            case (byte)'(':
                return TryReadLine(ref r, limits.MaxLineLength, "big number", out _);
            case (byte)':':
                return TryReadLine(ref r, MaxHeaderLine, "integer", out _);
            case (byte)'_':
                return TryReadLine(ref r, MaxHeaderLine, "null", out _);
            case (byte)'#':
                return TryReadLine(ref r, MaxHeaderLine, "boolean", out _);
            case (byte)',':
                return TryReadLine(ref r, MaxHeaderLine * 4, "double", out _);
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
            {
                string what = type switch { (byte)'$' => "bulk string", (byte)'!' => "blob error", _ => "verbatim string" };
                if (!TryReadLine(ref r, MaxHeaderLine, what + " length", out var line)) return false;
                long length = ParseLength(line, what, allowNull: type == (byte)'$');
                if (length < 0) return true;
                if (length > limits.MaxBulkLength)
                    throw Error($"Declared {what} length {length} exceeds the configured maximum of {limits.MaxBulkLength} bytes (MaxBulkLength).");
                if (r.Remaining < length + 2) return false;
                r.Advance(length + 2);
                return true;
            }
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
            {
                string what = type switch
                {
                    (byte)'*' => "array", (byte)'~' => "set", (byte)'>' => "push", (byte)'%' => "map", _ => "attribute",
                };
                if (!TryReadLine(ref r, MaxHeaderLine, what + " length", out var line)) return false;
                long declared = ParseLength(line, what, allowNull: type == (byte)'*');
                if (declared < 0) return true;
                long count = type is (byte)'%' or (byte)'|' ? declared * 2 : declared;
                if (count > limits.MaxAggregateLength)
                    throw Error($"Declared {what} length {declared} exceeds the configured maximum of {limits.MaxAggregateLength} elements (MaxAggregateLength).");
                if (open.Count >= limits.MaxDepth)
                    throw Error($"Replies nested deeper than {limits.MaxDepth} levels (MaxDepth).");
                // An attribute is followed by the reply it annotates, which belongs to the same frame.
                if (type == (byte)'|') count++;
                if (count == 0) return true;
                open.Push(count);
                completesValue = false;
                return true;
            }
            default:
                throw Error($"Unknown RESP type byte 0x{type:X2}{(type is >= 0x20 and < 0x7F ? $" ('{(char)type}')" : "")}.");
        }
    }
}
