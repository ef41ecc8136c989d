using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using GenArt.Redis.Internal;
using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Protocol;

/// <summary>Raw RESP bytes in, typed replies out: every case whole, cut at every byte, and a byte at a time.</summary>
public sealed class RespParserTests
{
    public static readonly object[] Valid =
    [
        // RESP2
        new object[] { "+OK\r\n", "+OK" },
        new object[] { "+\r\n", "+" },
        new object[] { "-ERR unknown command 'FOO'\r\n", "-ERR unknown command 'FOO'" },
        new object[] { "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value" },
        new object[] { ":0\r\n", ":0" },
        new object[] { ":-42\r\n", ":-42" },
        new object[] { ":+7\r\n", ":7" },
        new object[] { ":9223372036854775807\r\n", ":9223372036854775807" },
        new object[] { ":-9223372036854775808\r\n", ":-9223372036854775808" },
        new object[] { "$5\r\nhello\r\n", "$hello" },
        new object[] { "$0\r\n\r\n", "$" },
        new object[] { "$-1\r\n", "$nil" },
        new object[] { "$4\r\na\r\nb\r\n", "$a\\r\\nb" },
        new object[] { "$3\r\n\x00\xff\x80\r\n", "$\\x00\\xFF\\x80" },
        new object[] { "*0\r\n", "*[]" },
        new object[] { "*-1\r\n", "*nil" },
        new object[] { "*3\r\n:1\r\n:2\r\n:3\r\n", "*[:1 :2 :3]" },
        new object[] { "*2\r\n$3\r\nfoo\r\n$-1\r\n", "*[$foo $nil]" },
        new object[] { "*2\r\n*2\r\n+a\r\n$1\r\nb\r\n*-1\r\n", "*[*[+a $b] *nil]" },
        new object[] { "*3\r\n*1\r\n*1\r\n*0\r\n-ERR inner\r\n:5\r\n", "*[*[*[*[]]] -ERR inner :5]" },
        new object[] { "*2\r\n$15\r\n1700000000000-0\r\n*2\r\n$5\r\nfield\r\n$5\r\nvalue\r\n", "*[$1700000000000-0 *[$field $value]]" },
        // RESP3
        new object[] { "_\r\n", "_" },
        new object[] { ",3.14\r\n", ",3.14" },
        new object[] { ",-1.5e10\r\n", ",-15000000000" },
        new object[] { ",10\r\n", ",10" },
        new object[] { ",inf\r\n", ",Infinity" },
        new object[] { ",-inf\r\n", ",-Infinity" },
        new object[] { ",nan\r\n", ",NaN" },
        new object[] { "#t\r\n", "#t" },
        new object[] { "#f\r\n", "#f" },
        new object[] { "(3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385" },
        new object[] { "(-12\r\n", "(-12" },
        new object[] { "!21\r\nSYNTAX invalid syntax\r\n", "-SYNTAX invalid syntax" },
        new object[] { "=15\r\ntxt:Some string\r\n", "=txt:Some string" },
        new object[] { "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", "%[+first :1 +second :2]" },
        new object[] { "%0\r\n", "%[]" },
        new object[] { "~3\r\n+a\r\n+b\r\n_\r\n", "~[+a +b _]" },
        new object[] { ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", ">[$message $ch $hi]" },
        new object[] { "|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n", "*[:2039123 :9543892]" },
        new object[] { "*2\r\n%1\r\n$4\r\nname\r\n#t\r\n,1.5\r\n", "*[%[$name #t] ,1.5]" },
    ];

    public static readonly object[] Malformed =
    [
        new object[] { "?foo\r\n", "Unknown RESP type byte 0x3F ('?')" },
        new object[] { "\x00\r\n", "Unknown RESP type byte 0x00" },
        new object[] { "OK\r\n", "Unknown RESP type byte 0x4F ('O')" },
        new object[] { "$abc\r\n", "Invalid bulk string length 'abc'" },
        new object[] { "$\r\n", "Empty bulk string length" },
        new object[] { "$-5\r\n", "Negative bulk string length '-5'" },
        new object[] { "$-0\r\n", "Negative bulk string length '-0'" },
        new object[] { "*-2\r\n", "Negative array length '-2'" },
        new object[] { "%-1\r\n", "Length -1 is not allowed for a map" },
        new object[] { "~-1\r\n", "Length -1 is not allowed for a set" },
        new object[] { "*1x\r\n", "Invalid array length '1x'" },
        new object[] { "$99999999999999999999999\r\n", "Bulk string length '99999999999999999999999' overflows" },
        new object[] { "$3\r\nabcXY", "Bulk string of declared length 3 is not followed by CRLF" },
        new object[] { "$3\r\nabcd\r\n", "Bulk string of declared length 3 is not followed by CRLF" },
        new object[] { "!3\r\nabc\n\n", "Blob error of declared length 3 is not followed by CRLF" },
        new object[] { "+OK\n", "simple string line ends with a bare LF" },
        new object[] { "+OK\rX", "simple string line has CR followed by 0x58" },
        new object[] { ":1\n", "integer line ends with a bare LF" },
        new object[] { ":12a\r\n", "Invalid integer '12a'" },
        new object[] { ":\r\n", "Invalid integer ''" },
        new object[] { ":-\r\n", "Invalid integer '-'" },
        new object[] { ":99999999999999999999\r\n", "Invalid integer '99999999999999999999'" },
        new object[] { "*" + new string('1', 40), "No CRLF within 32 bytes of a array length line" },
        new object[] { "_x\r\n", "RESP3 null must be '_\\r\\n'" },
        new object[] { "#x\r\n", "RESP3 boolean must be 't' or 'f' but was 'x'" },
        new object[] { ",abc\r\n", "Invalid RESP3 double 'abc'" },
        new object[] { "(12a\r\n", "RESP3 big number '12a' is not a signed decimal integer" },
        new object[] { "=3\r\nabc\r\n", "Verbatim string must start with a three-letter format" },
        new object[] { "$?\r\n", "Streamed bulk strings (length '?') are not supported" },
        new object[] { "*2\r\n:1\r\n$x\r\n", "Invalid bulk string length 'x'" },
    ];

    [TestCaseSource(nameof(Valid))]
    public void Parses_whole_buffer(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out var reply), Is.True);
        Assert.That(ReplyText.Render(reply!), Is.EqualTo(expected));
        Assert.That(reader.Consumed, Is.EqualTo(bytes.Length), "the whole reply is consumed, nothing more");
    }

    [TestCaseSource(nameof(Valid))]
    public void Every_proper_prefix_is_incomplete_not_an_error(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        for (int length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out _), Is.False, $"prefix of {length} bytes of {expected}");
        }
    }

    [TestCaseSource(nameof(Valid))]
    public void Parses_when_split_in_two_at_every_byte(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        for (int at = 1; at < bytes.Length; at++)
        {
            var reader = new SequenceReader<byte>(Segments.Split(bytes, at));
            Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out var reply), Is.True, $"split at {at}");
            Assert.That(ReplyText.Render(reply!), Is.EqualTo(expected), $"split at {at}");
        }
    }

    [TestCaseSource(nameof(Valid))]
    public void Parses_one_byte_segments(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        var reader = new SequenceReader<byte>(Segments.Bytewise(bytes));
        Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out var reply), Is.True);
        Assert.That(ReplyText.Render(reply!), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Valid))]
    public async Task Streams_through_a_pipe_split_at_every_byte_and_byte_by_byte(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        for (int at = 1; at < bytes.Length; at++)
        {
            var replies = await ReadAllAsync([bytes[..at], bytes[at..]]);
            Assert.That(replies.Select(ReplyText.Render), Is.EqualTo(new[] { expected }), $"split at {at}");
        }
        var bytewise = await ReadAllAsync(bytes.Select(b => new[] { b }).ToArray());
        Assert.That(bytewise.Select(ReplyText.Render), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public async Task Back_to_back_replies_come_out_in_order_across_arbitrary_chunks()
    {
        var all = Valid.Cast<object[]>().ToArray();
        var bytes = Encoding.Latin1.GetBytes(string.Concat(all.Select(c => (string)c[0])));
        var random = new Random(1234);
        var chunks = new List<byte[]>();
        for (int i = 0; i < bytes.Length;)
        {
            int size = Math.Min(random.Next(1, 12), bytes.Length - i);
            chunks.Add(bytes[i..(i + size)]);
            i += size;
        }
        var replies = await ReadAllAsync(chunks.ToArray());
        Assert.That(replies.Select(ReplyText.Render), Is.EqualTo(all.Select(c => (string)c[1])));
    }

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_input_raises_a_protocol_error_naming_the_rule(string resp, string message)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        var error = Assert.Throws<RedisProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            RespParser.TryParse(ref reader, RespLimits.Default, out _);
        });
        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(error.Message, Does.StartWith("RESP protocol error:"));
    }

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_input_fed_byte_by_byte_raises_the_same_error(string resp, string message)
    {
        var bytes = Encoding.Latin1.GetBytes(resp);
        var error = Assert.ThrowsAsync<RedisProtocolException>(async () =>
            await ReadAllAsync(bytes.Select(b => new[] { b }).ToArray(), complete: false));
        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void Declared_bulk_length_beyond_the_configured_maximum_is_refused_before_any_payload()
    {
        var limits = RespLimits.Default with { MaxBulkLength = 100 };
        var bytes = "$101\r\n"u8.ToArray();
        var error = Assert.Throws<RedisProtocolException>(() => Parse(bytes, limits));
        Assert.That(error!.Message, Does.Contain("Declared bulk string length 101 exceeds the configured maximum of 100 bytes (MaxBulkLength)"));
        Assert.That(Parse("$100\r\n"u8.ToArray(), limits), Is.Null, "exactly the maximum is allowed (and waits for its payload)");
    }

    [Test]
    public void Huge_declared_length_is_refused_with_the_default_maximum()
    {
        var error = Assert.Throws<RedisProtocolException>(() => Parse("$9000000000\r\n"u8.ToArray(), RespLimits.Default));
        Assert.That(error!.Message, Does.Contain("exceeds the configured maximum of 536870912 bytes"));
    }

    [TestCase("*101\r\n", "array length 101")]
    [TestCase("~101\r\n", "set length 101")]
    [TestCase(">101\r\n", "push length 101")]
    [TestCase("%51\r\n", "map length 51")]
    public void Declared_aggregate_length_beyond_the_maximum_is_refused(string resp, string what)
    {
        var limits = RespLimits.Default with { MaxAggregateLength = 100 };
        var error = Assert.Throws<RedisProtocolException>(() => Parse(Encoding.ASCII.GetBytes(resp), limits));
        Assert.That(error!.Message, Does.Contain($"Declared {what} exceeds the configured maximum of 100 elements (MaxAggregateLength)"));
    }

    [Test]
    public void Nesting_beyond_the_maximum_depth_is_refused()
    {
        var limits = RespLimits.Default with { MaxDepth = 8 };
        var ok = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", 8)) + ":1\r\n");
        Assert.That(ReplyText.Render(Parse(ok, limits)!), Is.EqualTo("*[*[*[*[*[*[*[*[:1]]]]]]]]"));
        var deep = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", 9)) + ":1\r\n");
        var error = Assert.Throws<RedisProtocolException>(() => Parse(deep, limits));
        Assert.That(error!.Message, Does.Contain("nested deeper than 8 levels (MaxDepth)"));
    }

    [Test]
    public void Simple_string_without_crlf_beyond_the_line_limit_is_refused()
    {
        var limits = RespLimits.Default with { MaxLineLength = 16 };
        Assert.That(Parse(Encoding.ASCII.GetBytes("+" + new string('a', 16)), limits), Is.Null, "within the limit it waits for more");
        var error = Assert.Throws<RedisProtocolException>(() => Parse(Encoding.ASCII.GetBytes("+" + new string('a', 17)), limits));
        Assert.That(error!.Message, Does.Contain("No CRLF within 16 bytes of a simple string line"));
    }

    [Test]
    public void Aggregate_that_cannot_fit_in_the_buffer_is_incomplete_without_parsing_elements()
    {
        // *5 needs at least 15 more bytes; 12 bytes of elements cannot complete it.
        Assert.That(Parse("*5\r\n:1\r\n:2\r\n:3\r\n"u8.ToArray(), RespLimits.Default), Is.Null);
    }

    [Test]
    public void Stream_ending_inside_a_reply_is_a_protocol_error()
    {
        var error = Assert.ThrowsAsync<RedisProtocolException>(async () => await ReadAllAsync(["$5\r\nhel"u8.ToArray()]));
        Assert.That(error!.Message, Does.Contain("the stream ended inside a reply (7 bytes unparsed)"));
    }

    private static RedisReply? Parse(byte[] bytes, RespLimits limits)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        return RespParser.TryParse(ref reader, limits, out var reply) ? reply : null;
    }

    /// <summary>Writes each chunk with its own flush while a reader drains replies, as the connection's receive loop does.</summary>
    private static async Task<List<RedisReply>> ReadAllAsync(byte[][] chunks, bool complete = true)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var reader = new RespReplyReader(pipe.Reader, RespLimits.Default);
        var replies = new List<RedisReply>();
        var readLoop = Task.Run(async () =>
        {
            while (await reader.ReadAsync() is { } reply) replies.Add(reply);
        });
        foreach (var chunk in chunks)
        {
            await pipe.Writer.WriteAsync(chunk);
            if (readLoop.IsCompleted) break;
        }
        if (complete) await pipe.Writer.CompleteAsync();
        else if (!readLoop.IsCompleted) await pipe.Writer.CompleteAsync();
        await readLoop.WaitAsync(TimeSpan.FromSeconds(10));
        return replies;
    }
}
