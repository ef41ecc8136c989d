using System.Globalization;
using System.Text;

namespace GenArt.Redis;

/// <summary>One parsed RESP reply. Aggregates hold their elements; maps hold keys and values alternately.</summary>
public sealed class RedisReply
{
    private static readonly RedisReply[] NoElements = [];

    private readonly byte[]? _bytes;
    private readonly string? _text;
    private readonly RedisReply[]? _elements;
    private readonly long _integer;
    private readonly double _double;

    private RedisReply(RedisReplyKind kind, byte[]? bytes = null, string? text = null,
        RedisReply[]? elements = null, long integer = 0, double dbl = 0, bool isNull = false)
    {
        Kind = kind;
        _bytes = bytes;
        _text = text;
        _elements = elements;
        _integer = integer;
        _double = dbl;
        IsNull = isNull;
    }

    /// <summary>The RESP type of this reply.</summary>
    public RedisReplyKind Kind { get; }

    /// <summary>True for <c>$-1</c>, <c>*-1</c> and RESP3 <c>_</c>.</summary>
    public bool IsNull { get; }

    /// <summary>True for error replies; <see cref="ToString"/> then returns the server's message.</summary>
    public bool IsError => Kind == RedisReplyKind.Error;

    /// <summary>For verbatim strings, the three-letter format (<c>txt</c>, <c>mkd</c>); otherwise null.</summary>
    public string? VerbatimFormat { get; private init; }

    /// <summary>Elements of an array, set, map (key, value alternately) or push; empty for scalars and nulls.</summary>
    public IReadOnlyList<RedisReply> Elements => _elements ?? NoElements;

    internal RedisReply[] ElementArray => _elements ?? NoElements;

    /// <summary>True for array, map, set and push replies that are not null.</summary>
    public bool IsAggregate => _elements is not null;

    public static RedisReply NullBulkString { get; } = new(RedisReplyKind.BulkString, isNull: true);
    public static RedisReply NullArray { get; } = new(RedisReplyKind.Array, isNull: true);
    public static RedisReply Null { get; } = new(RedisReplyKind.Null, isNull: true);

    private static readonly RedisReply Ok = new(RedisReplyKind.SimpleString, text: "OK");
    private static readonly RedisReply Queued = new(RedisReplyKind.SimpleString, text: "QUEUED");
    private static readonly RedisReply Pong = new(RedisReplyKind.SimpleString, text: "PONG");
    private static readonly RedisReply True = new(RedisReplyKind.Boolean, integer: 1);
    private static readonly RedisReply False = new(RedisReplyKind.Boolean, integer: 0);

    public static RedisReply SimpleString(string text) => text switch
    {
        "OK" => Ok,
        "QUEUED" => Queued,
        "PONG" => Pong,
        _ => new RedisReply(RedisReplyKind.SimpleString, text: text),
    };

    public static RedisReply Error(string message) => new(RedisReplyKind.Error, text: message);

    public static RedisReply Integer(long value) => new(RedisReplyKind.Integer, integer: value);

    public static RedisReply BulkString(byte[] value) => new(RedisReplyKind.BulkString, bytes: value);

    public static RedisReply Double(double value) => new(RedisReplyKind.Double, dbl: value);

    public static RedisReply Boolean(bool value) => value ? True : False;

    public static RedisReply BigNumber(string digits) => new(RedisReplyKind.BigNumber, text: digits);

    public static RedisReply Verbatim(string format, byte[] value) =>
        new(RedisReplyKind.VerbatimString, bytes: value) { VerbatimFormat = format };

    /// <summary>An aggregate of the given kind (<see cref="RedisReplyKind.Array"/>, Map, Set or Push).</summary>
    public static RedisReply Aggregate(RedisReplyKind kind, RedisReply[] elements)
    {
        if (kind is not (RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set or RedisReplyKind.Push))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Aggregate kind must be Array, Map, Set or Push.");
        return new RedisReply(kind, elements: elements);
    }

    public static RedisReply Array(params RedisReply[] elements) => new(RedisReplyKind.Array, elements: elements);

    /// <summary>The integer value; bulk and simple strings holding a decimal integer are converted.</summary>
    public long ToInt64()
    {
        switch (Kind)
        {
            case RedisReplyKind.Integer:
            case RedisReplyKind.Boolean:
                return _integer;
            case RedisReplyKind.BulkString or RedisReplyKind.SimpleString or RedisReplyKind.BigNumber when !IsNull:
                if (long.TryParse(ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                    return value;
                break;
        }
        throw new RedisProtocolException($"Expected an integer reply but got {Describe()}.");
    }

    /// <summary>The double value; integers and numeric strings are converted.</summary>
    public double ToDouble()
    {
        switch (Kind)
        {
            case RedisReplyKind.Double:
                return _double;
            case RedisReplyKind.Integer:
                return _integer;
            case RedisReplyKind.BulkString or RedisReplyKind.SimpleString or RedisReplyKind.BigNumber when !IsNull:
                string text = ToString();
                if (text is "inf" or "+inf") return double.PositiveInfinity;
                if (text == "-inf") return double.NegativeInfinity;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                    return value;
                break;
        }
        throw new RedisProtocolException($"Expected a numeric reply but got {Describe()}.");
    }

    /// <summary>The boolean value of a RESP3 boolean, or an integer 0/1 reply.</summary>
    public bool ToBoolean() => Kind switch
    {
        RedisReplyKind.Boolean => _integer != 0,
        RedisReplyKind.Integer => _integer != 0,
        _ => throw new RedisProtocolException($"Expected a boolean or integer reply but got {Describe()}."),
    };

    /// <summary>The raw bytes of a bulk or verbatim string (text for other scalars, UTF-8 encoded); null for nulls.</summary>
    public byte[]? ToBytes()
    {
        if (IsNull) return null;
        if (_bytes is not null) return _bytes;
        if (IsAggregate) throw new RedisProtocolException($"Expected a scalar reply but got {Describe()}.");
        return Encoding.UTF8.GetBytes(ToString());
    }

    /// <summary>The reply as a <see cref="RedisValue"/> (null for null replies).</summary>
    public RedisValue ToValue() => IsNull ? RedisValue.Null : (RedisValue)ToBytes();

    /// <summary>The text of a scalar reply (the message for errors); the empty string for nulls.</summary>
    public override string ToString()
    {
        if (IsNull) return string.Empty;
        if (_text is not null) return _text;
        if (_bytes is not null) return Encoding.UTF8.GetString(_bytes);
        return Kind switch
        {
            RedisReplyKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
            RedisReplyKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
            RedisReplyKind.Boolean => _integer != 0 ? "true" : "false",
            _ => $"{Kind}[{Elements.Count}]",
        };
    }

    /// <summary>A short description for error messages: kind plus value or size.</summary>
    internal string Describe() => IsNull ? $"null {Kind}" : IsAggregate ? $"{Kind} of {Elements.Count}" : $"{Kind} '{Truncate(ToString())}'";

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
