using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace GenArt.Redis;

/// <summary>
/// One argument or scalar result: a string, raw bytes, an integer or a double, or null.
/// </summary>
/// <remarks>
/// Redis itself only knows byte strings; the kinds here exist so that arguments are encoded
/// straight into the output buffer (UTF-8 for text, decimal ASCII for numbers) without an
/// intermediate byte[] per argument.
/// </remarks>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private enum ValueKind : byte { Null, Text, Bytes, Int64, Double }

    private readonly object? _obj;
    private readonly long _bits;
    private readonly ValueKind _kind;

    private RedisValue(object? obj, long bits, ValueKind kind)
    {
        _obj = obj;
        _bits = bits;
        _kind = kind;
    }

    /// <summary>The null value (a missing key or field).</summary>
    public static RedisValue Null => default;

    /// <summary>True for the null value.</summary>
    public bool IsNull => _kind == ValueKind.Null;

    public static implicit operator RedisValue(string? value) =>
        value is null ? default : new RedisValue(value, 0, ValueKind.Text);

    public static implicit operator RedisValue(byte[]? value) =>
        value is null ? default : new RedisValue(value, 0, ValueKind.Bytes);

    public static implicit operator RedisValue(long value) => new(null, value, ValueKind.Int64);

    public static implicit operator RedisValue(int value) => new(null, value, ValueKind.Int64);

    public static implicit operator RedisValue(double value) =>
        new(null, BitConverter.DoubleToInt64Bits(value), ValueKind.Double);

    public static explicit operator string?(RedisValue value) => value.IsNull ? null : value.ToString();

    public static explicit operator long(RedisValue value) =>
        value.TryParseInt64(out long result)
            ? result
            : throw new InvalidCastException($"Redis value '{value}' is not a 64-bit integer.");

    /// <summary>Number of bytes this value occupies on the wire.</summary>
    internal int ByteCount => _kind switch
    {
        ValueKind.Null => 0,
        ValueKind.Text => Encoding.UTF8.GetByteCount((string)_obj!),
        ValueKind.Bytes => ((byte[])_obj!).Length,
        ValueKind.Int64 => FormatInt64(_bits, stackalloc byte[20]),
        _ => FormatDouble(BitConverter.Int64BitsToDouble(_bits)).Length,
    };

    /// <summary>Writes the wire bytes into <paramref name="destination"/>, which holds at least <see cref="ByteCount"/> bytes.</summary>
    internal int CopyTo(Span<byte> destination)
    {
        switch (_kind)
        {
            case ValueKind.Null:
                return 0;
            case ValueKind.Text:
                return Encoding.UTF8.GetBytes((string)_obj!, destination);
            case ValueKind.Bytes:
                var bytes = (byte[])_obj!;
                bytes.CopyTo(destination);
                return bytes.Length;
            case ValueKind.Int64:
                return FormatInt64(_bits, destination);
            default:
                return Encoding.ASCII.GetBytes(FormatDouble(BitConverter.Int64BitsToDouble(_bits)), destination);
        }
    }

    /// <summary>The value's bytes (UTF-8 for text, decimal for numbers); empty for null.</summary>
    public byte[] ToArray()
    {
        if (_kind == ValueKind.Bytes) return (byte[])_obj!;
        var result = new byte[ByteCount];
        CopyTo(result);
        return result;
    }

    /// <summary>Parses the value as a decimal 64-bit integer.</summary>
    public bool TryParseInt64(out long value)
    {
        switch (_kind)
        {
            case ValueKind.Int64:
                value = _bits;
                return true;
            case ValueKind.Text:
                return long.TryParse((string)_obj!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            case ValueKind.Bytes:
                return Utf8Parser.TryParse((byte[])_obj!, out value, out int consumed) && consumed == ((byte[])_obj!).Length;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>The value as text (UTF-8 decoded); the empty string for null.</summary>
    public override string ToString() => _kind switch
    {
        ValueKind.Null => string.Empty,
        ValueKind.Text => (string)_obj!,
        ValueKind.Bytes => Encoding.UTF8.GetString((byte[])_obj!),
        ValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        _ => FormatDouble(BitConverter.Int64BitsToDouble(_bits)),
    };

    public bool Equals(RedisValue other)
    {
        if (IsNull || other.IsNull) return IsNull == other.IsNull;
        return ToArray().AsSpan().SequenceEqual(other.ToArray());
    }

    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    public override int GetHashCode()
    {
        if (IsNull) return 0;
        var hash = new HashCode();
        hash.AddBytes(ToArray());
        return hash.ToHashCode();
    }

    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    private static int FormatInt64(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written);
        return written;
    }

    // Redis parses doubles with strtold and accepts "inf"/"-inf" (see INCRBYFLOAT, ZADD docs).
    private static string FormatDouble(double value) =>
        double.IsPositiveInfinity(value) ? "+inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
