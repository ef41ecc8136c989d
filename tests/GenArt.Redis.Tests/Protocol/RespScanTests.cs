using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using GenArt.Redis.Internal;

namespace GenArt.Redis.Tests.Protocol;

/// <summary>The resumable scan that finds where a reply ends before it is parsed.</summary>
public sealed class RespScanTests
{
    [TestCaseSource(typeof(RespParserTests), nameof(RespParserTests.Valid))]
    public void Scan_finds_the_exact_end_of_every_reply_and_nothing_before_it(string resp, string expected)
    {
        var bytes = Encoding.Latin1.GetBytes(resp + "+NEXT\r\n");
        int replyLength = Encoding.Latin1.GetByteCount(resp);
        var state = new RespScanState();
        for (int available = 0; available < replyLength; available++)
        {
            Assert.That(RespParser.TryFindReplyEnd(new ReadOnlySequence<byte>(bytes, 0, available), RespLimits.Default, state, out _),
                Is.False, $"{available} bytes of {expected}");
            Assert.That(state.Offset, Is.LessThanOrEqualTo(available));
        }
        Assert.That(RespParser.TryFindReplyEnd(new ReadOnlySequence<byte>(bytes), RespLimits.Default, state, out long length), Is.True);
        Assert.That(length, Is.EqualTo(replyLength), "the scan stops at the reply's end, not the next reply's");
        Assert.That((state.Offset, state.Open.Count), Is.EqualTo((0L, 0)), "state is reset for the next reply");
    }

    [Test]
    public void Scan_remembers_progress_inside_nested_aggregates()
    {
        var bytes = "*3\r\n*2\r\n$3\r\nabc\r\n:1\r\n$5\r\nhel"u8.ToArray();
        var state = new RespScanState();
        Assert.That(RespParser.TryFindReplyEnd(new ReadOnlySequence<byte>(bytes), RespLimits.Default, state, out _), Is.False);
        Assert.That(state.Offset, Is.EqualTo(21), "resumes at the incomplete bulk string, after the finished inner array");
        Assert.That(state.Open, Is.EqualTo(new long[] { 2 }), "the outer array still needs two elements");

        var whole = "*3\r\n*2\r\n$3\r\nabc\r\n:1\r\n$5\r\nhello\r\n_\r\n"u8.ToArray();
        Assert.That(RespParser.TryFindReplyEnd(new ReadOnlySequence<byte>(whole), RespLimits.Default, state, out long length), Is.True);
        Assert.That(length, Is.EqualTo(whole.Length));
    }

    [Test]
    public async Task A_reply_of_100000_elements_in_small_chunks_is_read_in_linear_time()
    {
        // Re-parsing from the start on every chunk would do about 5 * 10^9 element parses here and take minutes.
        var sb = new StringBuilder("*100000\r\n");
        for (int i = 0; i < 100_000; i++) sb.Append("$6\r\n").Append(i.ToString("D6")).Append("\r\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var reader = new RespReplyReader(pipe.Reader, RespLimits.Default);
        var read = reader.ReadAsync().AsTask();
        for (int i = 0; i < bytes.Length; i += 512)
            await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(512, bytes.Length - i)));
        var reply = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(reply!.Elements, Has.Count.EqualTo(100_000));
        Assert.That(reply.Elements[99_999].ToString(), Is.EqualTo("099999"));
    }
}
