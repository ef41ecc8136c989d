using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace GenArt.Rpc.Internal;

/// <summary>Wire-level constants and codecs of gRPC over HTTP/2 (doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string Identity = "identity";
    public const int HeaderSize = 5;
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Encodings we can decode and encode, in preference order.</summary>
    public static readonly string[] SupportedEncodings = { "gzip", "deflate" };
    public const string AcceptEncodingValue = "identity,gzip,deflate";

    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)) return false;
        if (contentType.Length == ContentType.Length) return true;
        char next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    public static bool IsSupportedEncoding(string encoding)
        => encoding is "gzip" or "deflate";

    // ---- grpc-timeout ----------------------------------------------------------------------------------

    /// <summary>Parses "1S", "100m", "5H"... (at most 8 digits). Returns false if malformed.</summary>
    public static bool TryParseTimeout(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9) return false;
        if (!long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            return false;
        double ticks = value[^1] switch
        {
            'H' => n * (double)TimeSpan.TicksPerHour,
            'M' => n * (double)TimeSpan.TicksPerMinute,
            'S' => n * (double)TimeSpan.TicksPerSecond,
            'm' => n * (double)TimeSpan.TicksPerMillisecond,
            'u' => n * 10.0,
            'n' => n / 100.0,
            _ => -1,
        };
        if (ticks < 0) return false;
        timeout = ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)Math.Ceiling(ticks));
        return true;
    }

    /// <summary>Formats a timeout with at most 8 digits, rounding up.</summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return "1n";
        long ticks = timeout.Ticks;
        const long max = 99_999_999;
        long nanos = ticks > long.MaxValue / 100 ? long.MaxValue : ticks * 100;
        if (nanos <= max) return nanos + "n";
        long micros = Ceil(ticks, 10);
        if (micros <= max) return micros + "u";
        long millis = Ceil(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= max) return millis + "m";
        long secs = Ceil(ticks, TimeSpan.TicksPerSecond);
        if (secs <= max) return secs + "S";
        long mins = Ceil(ticks, TimeSpan.TicksPerMinute);
        if (mins <= max) return mins + "M";
        return Math.Min(Ceil(ticks, TimeSpan.TicksPerHour), max) + "H";

        static long Ceil(long a, long b) => (a + b - 1) / b;
    }

    // ---- grpc-message percent-encoding ------------------------------------------------------------------

    public static string PercentEncode(string message)
    {
        bool plain = true;
        foreach (char c in message)
            if (c < 0x20 || c > 0x7E || c == '%') { plain = false; break; }
        if (plain) return message;

        var sb = new StringBuilder(message.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(message))
        {
            if (b >= 0x20 && b <= 0x7E && b != '%') sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static string PercentDecode(string value)
    {
        if (value.IndexOf('%') < 0) return value;
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length &&
                byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                // Not a valid escape: keep as is (spec: decode what can be decoded).
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // ---- binary metadata ---------------------------------------------------------------------------------

    /// <summary>Base64 without padding, as gRPC implementations should emit.</summary>
    public static string EncodeBinaryHeader(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    /// <summary>Decodes padded or unpadded base64. Returns null if invalid.</summary>
    public static byte[]? DecodeBinaryHeader(string value)
    {
        value = value.Trim();
        int pad = (4 - value.Length % 4) % 4;
        if (pad == 3) return null;
        if (pad > 0) value += new string('=', pad);
        try { return Convert.FromBase64String(value); }
        catch (FormatException) { return null; }
    }

    /// <summary>Adds an HTTP header value to metadata, decoding -bin values (comma separated allowed).</summary>
    public static void AddHeaderToMetadata(Metadata metadata, string key, string value)
    {
        if (key.EndsWith(Metadata.BinarySuffix, StringComparison.Ordinal))
        {
            foreach (var part in value.Split(','))
            {
                var bytes = DecodeBinaryHeader(part);
                if (bytes is not null) metadata.Add(new Metadata.Entry(key, bytes));
            }
        }
        else
        {
            metadata.Add(new Metadata.Entry(key, value));
        }
    }

    public static string HeaderValue(Metadata.Entry entry)
        => entry.IsBinary ? EncodeBinaryHeader(entry.ValueBytes) : entry.Value;

    /// <summary>Headers that are part of the protocol, not user metadata.</summary>
    public static bool IsReservedHeader(string key) => key switch
    {
        "content-type" or "te" or "host" or "content-length" or "connection" or "transfer-encoding" => true,
        _ => key.StartsWith(':') || key.StartsWith("grpc-", StringComparison.Ordinal),
    };

    // ---- compression --------------------------------------------------------------------------------------

    public static byte[] Compress(string encoding, ReadOnlySpan<byte> data)
    {
        using var ms = new MemoryStream(data.Length / 2 + 64);
        using (Stream z = encoding == "gzip"
                   ? new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)
                   : new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }
        return ms.ToArray();
    }

    /// <summary>Decompresses; throws <see cref="RpcException"/> RESOURCE_EXHAUSTED past maxSize and INTERNAL on bad data.</summary>
    public static byte[] Decompress(string encoding, ReadOnlySequence<byte> data, int maxSize)
    {
        try
        {
            using var input = new SequenceStream(data);
            using Stream z = encoding == "gzip" ? new GZipStream(input, CompressionMode.Decompress) : new ZLibStream(input, CompressionMode.Decompress);
            var output = new MemoryStream();
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int n;
                while ((n = z.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + n > maxSize)
                        throw new RpcException(StatusCode.ResourceExhausted,
                            $"Received message after decompression larger than max ({maxSize} bytes).");
                    output.Write(buffer, 0, n);
                }
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new RpcException(StatusCode.Internal, "Failed to decompress message: " + ex.Message);
        }
    }

    /// <summary>Maps a non-200 HTTP status to a gRPC status code (doc/http-grpc-status-mapping.md).</summary>
    public static StatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}

/// <summary>A read-only stream over a ReadOnlySequence.</summary>
internal sealed class SequenceStream : Stream
{
    private ReadOnlySequence<byte> _remaining;

    public SequenceStream(ReadOnlySequence<byte> sequence) => _remaining = sequence;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, _remaining.Length);
        _remaining.Slice(0, n).CopyTo(buffer);
        _remaining = _remaining.Slice(n);
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
