using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace GenArt.Redis.Internal;

/// <summary>
/// Parses one RESP2/RESP3 reply from a (possibly multi-segment) buffer.
/// </summary>
/// <remarks>
/// Returns false when the buffer ends before the reply does, so a caller can wait for more bytes and
/// retry from the same start; throws <see cref="RedisProtocolException"/> as soon as the bytes seen so far
/// can no longer be valid RESP. Type bytes, CRLF framing and null forms follow the RESP protocol spec
/// ("RESP protocol description" on redis.io: RESP2 types + - : $ *, RESP3 adds _ , # ( ! = % ~ &gt; |).
/// Bulk payloads are copied once, straight from the buffer into the reply's own array.
/// </remarks>
internal static partial class RespParser
{
    // A header line carries at most a sign and 19 digits; anything longer without CRLF is malformed.
    private const int MaxHeaderLine = 32;

    private static ReadOnlySpan<byte> CrOrLf => "\r\n"u8;

    public static bool TryParse(ref SequenceReader<byte> reader, in RespLimits limits, [NotNullWhen(true)] out RedisReply? reply) =>
        TryParse(ref reader, limits, 0, out reply);

    private static bool TryParse(ref SequenceReader<byte> r, in RespLimits limits, int depth, [NotNullWhen(true)] out RedisReply? reply)
    {
        reply = null;
        if (!r.TryRead(out byte type)) return false;
        switch (type)
        {
            case (byte)'+':
            {
                if (!TryReadLine(ref r, limits.MaxLineLength, "simple string", out var line)) return false;
                reply = RedisReply.SimpleString(Utf8(line));
                return true;
            }
            case (byte)'-':
            {
                if (!TryReadLine(ref r, limits.MaxLineLength, "error", out var line)) return false;
                reply = RedisReply.Error(Utf8(line));
                return true;
            }
            case (byte)':':
            {
                if (!TryReadLine(ref r, MaxHeaderLine, "integer", out var line)) return false;
                reply = RedisReply.Integer(ParseInteger(line, "integer"));
                return true;
            }
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
                return TryParseBlob(ref r, limits, type, out reply);
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
                return TryParseAggregate(ref r, limits, type, depth, out reply);
            case (byte)'_':
            {
                if (!TryReadLine(ref r, MaxHeaderLine, "null", out var line)) return false;
                if (!line.IsEmpty) throw Error($"RESP3 null must be '_\\r\\n' but had payload '{Printable(line)}'.");
                reply = RedisReply.Null;
                return true;
            }
            case (byte)',':
            {
                if (!TryReadLine(ref r, MaxHeaderLine * 4, "double", out var line)) return false;
                reply = RedisReply.Double(ParseDouble(line));
                return true;
            }
            case (byte)'#':
            {
                if (!TryReadLine(ref r, MaxHeaderLine, "boolean", out var line)) return false;
                string text = Utf8(line);
                reply = text switch
                {
                    "t" => RedisReply.Boolean(true),
                    "f" => RedisReply.Boolean(false),
                    _ => throw Error($"RESP3 boolean must be 't' or 'f' but was '{text}'."),
                };
                return true;
            }
            case (byte)'(':
            {
                if (!TryReadLine(ref r, limits.MaxLineLength, "big number", out var line)) return false;
                string digits = Utf8(line);
                if (!IsBigNumber(digits)) throw Error($"RESP3 big number '{digits}' is not a signed decimal integer.");
                reply = RedisReply.BigNumber(digits);
                return true;
            }
            default:
                throw Error($"Unknown RESP type byte 0x{type:X2}{(type is >= 0x20 and < 0x7F ? $" ('{(char)type}')" : "")}.");
        }
    }

    private static bool TryParseBlob(ref SequenceReader<byte> r, in RespLimits limits, byte type, [NotNullWhen(true)] out RedisReply? reply)
    {
        reply = null;
        string what = type switch { (byte)'$' => "bulk string", (byte)'!' => "blob error", _ => "verbatim string" };
        if (!TryReadLine(ref r, MaxHeaderLine, what + " length", out var line)) return false;
        long length = ParseLength(line, what, allowNull: type == (byte)'$');
        if (length < 0)
        {
            reply = RedisReply.NullBulkString;
            return true;
        }
        if (length > limits.MaxBulkLength)
            throw Error($"Declared {what} length {length} exceeds the configured maximum of {limits.MaxBulkLength} bytes (MaxBulkLength).");
        // Check availability before allocating, so a large reply arriving in pieces is not copied repeatedly.
        if (r.Remaining < length + 2) return false;
        var data = new byte[length];
        r.TryCopyTo(data);
        r.Advance(length);
        r.TryRead(out byte cr);
        r.TryRead(out byte lf);
        if (cr != '\r' || lf != '\n')
            throw Error($"{Capitalize(what)} of declared length {length} is not followed by CRLF (found 0x{cr:X2} 0x{lf:X2}).");

        switch (type)
        {
            case (byte)'$':
                reply = RedisReply.BulkString(data);
                break;
            case (byte)'!':
                reply = RedisReply.Error(Encoding.UTF8.GetString(data));
                break;
            default:
                // RESP3: "=<length>\r\n<encoding>:<data>\r\n", the encoding is exactly three bytes.
                if (length < 4 || data[3] != (byte)':')
                    throw Error("Verbatim string must start with a three-letter format and ':'.");
                reply = RedisReply.Verbatim(Encoding.ASCII.GetString(data, 0, 3), data[4..]);
                break;
        }
        return true;
    }

    private static bool TryParseAggregate(ref SequenceReader<byte> r, in RespLimits limits, byte type, int depth, [NotNullWhen(true)] out RedisReply? reply)
    {
        reply = null;
        string what = type switch
        {
            (byte)'*' => "array", (byte)'~' => "set", (byte)'>' => "push", (byte)'%' => "map", _ => "attribute",
        };
        if (!TryReadLine(ref r, MaxHeaderLine, what + " length", out var line)) return false;
        long declared = ParseLength(line, what, allowNull: type == (byte)'*');
        if (declared < 0)
        {
            reply = RedisReply.NullArray;
            return true;
        }
        bool paired = type is (byte)'%' or (byte)'|';
        long count = paired ? declared * 2 : declared;
        if (count > limits.MaxAggregateLength)
            throw Error($"Declared {what} length {declared} exceeds the configured maximum of {limits.MaxAggregateLength} elements (MaxAggregateLength).");
        if (depth >= limits.MaxDepth)
            throw Error($"Replies nested deeper than {limits.MaxDepth} levels (MaxDepth).");
        // Every element takes at least three bytes ("_\r\n"); fewer bytes left means it cannot be complete yet.
        if (r.Remaining < count * 3) return false;

        var elements = count == 0 ? [] : new RedisReply[count];
        for (int i = 0; i < elements.Length; i++)
        {
            if (!TryParse(ref r, limits, depth + 1, out var element)) return false;
            elements[i] = element;
        }

        if (type == (byte)'|')
        {
            // An attribute annotates the reply that follows it; the annotation carries no command result.
            return TryParse(ref r, limits, depth, out reply);
        }

        var kind = type switch
        {
            (byte)'*' => RedisReplyKind.Array,
            (byte)'~' => RedisReplyKind.Set,
            (byte)'>' => RedisReplyKind.Push,
            _ => RedisReplyKind.Map,
        };
        reply = RedisReply.Aggregate(kind, elements);
        return true;
    }

    /// <summary>Reads up to CRLF. Returns false if no line terminator is buffered yet.</summary>
    private static bool TryReadLine(ref SequenceReader<byte> r, int maxLength, string what, out ReadOnlySequence<byte> line)
    {
        if (!r.TryReadToAny(out line, CrOrLf, advancePastDelimiter: false))
        {
            if (r.Remaining > maxLength)
                throw Error($"No CRLF within {maxLength} bytes of a {what} line (MaxLineLength).");
            return false;
        }
        if (line.Length > maxLength)
            throw Error($"A {what} line is {line.Length} bytes long, more than the maximum of {maxLength}.");
        r.TryRead(out byte delimiter);
        if (delimiter == '\n')
            throw Error($"A {what} line ends with a bare LF; RESP requires CRLF.");
        if (!r.TryRead(out byte lf)) return false;
        if (lf != '\n')
            throw Error($"A {what} line has CR followed by 0x{lf:X2} instead of LF.");
        return true;
    }

    private static long ParseLength(in ReadOnlySequence<byte> line, string what, bool allowNull)
    {
        Span<byte> buffer = stackalloc byte[MaxHeaderLine];
        var text = Flatten(line, buffer);
        if (text.IsEmpty) throw Error($"Empty {what} length.");
        if (text[0] == '?') throw Error($"Streamed {what}s (length '?') are not supported.");
        if (text[0] == '-')
        {
            if (text.Length == 2 && text[1] == '1')
            {
                if (allowNull) return -1;
                throw Error($"Length -1 is not allowed for a {what}; only bulk strings and arrays have a null form.");
            }
            throw Error($"Negative {what} length '{Printable(line)}'; only -1 (null) is allowed.");
        }
        long value = 0;
        foreach (byte b in text)
        {
            if (b < '0' || b > '9') throw Error($"Invalid {what} length '{Printable(line)}'.");
            if (value > (long.MaxValue - 9) / 10) throw Error($"{Capitalize(what)} length '{Printable(line)}' overflows a 64-bit integer.");
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static long ParseInteger(in ReadOnlySequence<byte> line, string what)
    {
        Span<byte> buffer = stackalloc byte[MaxHeaderLine];
        var text = Flatten(line, buffer);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            || text.IsEmpty || text[^1] < '0' || text[^1] > '9')
            throw Error($"Invalid {what} '{Printable(line)}'.");
        return value;
    }

    private static double ParseDouble(in ReadOnlySequence<byte> line)
    {
        string text = Utf8(line);
        switch (text)
        {
            case "inf" or "+inf": return double.PositiveInfinity;
            case "-inf": return double.NegativeInfinity;
            case "nan" or "-nan": return double.NaN;
        }
        if (text.Length == 0 || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw Error($"Invalid RESP3 double '{text}'.");
        return value;
    }

    private static bool IsBigNumber(string text)
    {
        int start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
        if (start == text.Length) return false;
        for (int i = start; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i])) return false;
        }
        return true;
    }

    private static ReadOnlySpan<byte> Flatten(in ReadOnlySequence<byte> line, Span<byte> buffer)
    {
        if (line.IsSingleSegment) return line.FirstSpan;
        line.CopyTo(buffer);
        return buffer[..(int)line.Length];
    }

    private static string Utf8(in ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? Encoding.UTF8.GetString(line.FirstSpan) : Encoding.UTF8.GetString(line.ToArray());

    private static string Printable(in ReadOnlySequence<byte> line)
    {
        var sb = new StringBuilder();
        foreach (var segment in line)
        {
            foreach (byte b in segment.Span)
            {
                if (sb.Length >= 40) return sb.Append("...").ToString();
                sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
            }
        }
        return sb.ToString();
    }

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static RedisProtocolException Error(string message) => new("RESP protocol error: " + message);
}
