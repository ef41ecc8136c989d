namespace GenArt.Redis;

/// <summary>The RESP type of a reply (RESP2 and RESP3 type bytes, see the RESP protocol spec).</summary>
public enum RedisReplyKind
{
    /// <summary><c>+</c> simple string.</summary>
    SimpleString,
    /// <summary><c>-</c> simple error, or <c>!</c> blob error (RESP3).</summary>
    Error,
    /// <summary><c>:</c> signed 64-bit integer.</summary>
    Integer,
    /// <summary><c>$</c> bulk string; <c>$-1</c> is a null bulk string.</summary>
    BulkString,
    /// <summary><c>*</c> array; <c>*-1</c> is a null array.</summary>
    Array,
    /// <summary><c>_</c> null (RESP3).</summary>
    Null,
    /// <summary><c>,</c> double (RESP3).</summary>
    Double,
    /// <summary><c>#</c> boolean (RESP3).</summary>
    Boolean,
    /// <summary><c>(</c> big number (RESP3), kept as its decimal text.</summary>
    BigNumber,
    /// <summary><c>=</c> verbatim string (RESP3); <see cref="RedisReply.VerbatimFormat"/> holds the format.</summary>
    VerbatimString,
    /// <summary><c>%</c> map (RESP3); elements alternate key, value.</summary>
    Map,
    /// <summary><c>~</c> set (RESP3).</summary>
    Set,
    /// <summary><c>&gt;</c> push (RESP3): out-of-band data, never the reply to a command.</summary>
    Push,
}
