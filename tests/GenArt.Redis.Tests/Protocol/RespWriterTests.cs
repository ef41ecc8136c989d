using System.Buffers;
using System.Text;
using GenArt.Redis.Internal;
using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Protocol;

public sealed class RespWriterTests
{
    [Test]
    public void Command_is_an_array_of_bulk_strings()
    {
        Assert.That(Write("SET", "key", "value"), Is.EqualTo("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"));
    }

    [Test]
    public void Numbers_are_written_in_decimal()
    {
        Assert.That(Write("INCRBY", "n", -42L, 7), Is.EqualTo("*4\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$3\r\n-42\r\n$1\r\n7\r\n"));
        Assert.That(Write(1.5, double.PositiveInfinity, double.NegativeInfinity), Is.EqualTo("*3\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n"));
    }

    [Test]
    public void Text_is_utf8_and_lengths_count_bytes_not_chars()
    {
        Assert.That(Write("é✓"), Is.EqualTo("*1\r\n$5\r\n\u00c3\u00a9\u00e2\u009c\u0093\r\n"));
    }

    [Test]
    public void Binary_and_empty_values_are_written_verbatim()
    {
        Assert.That(Write(new byte[] { 0, 13, 10, 255 }, ""), Is.EqualTo("*2\r\n$4\r\n\u0000\r\n\u00ff\r\n$0\r\n\r\n"));
    }

    [Test]
    public void Large_values_cross_buffer_segments_intact()
    {
        var big = new string('x', 100_000);
        var writer = new ArrayBufferWriter<byte>(16);
        RespWriter.WriteCommand(writer, ["SET", "k", big]);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(writer.WrittenMemory));
        Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out var reply), Is.True);
        Assert.That(reply!.Elements[2].ToString(), Is.EqualTo(big));
    }

    [Test]
    public void Written_commands_parse_back_to_the_same_arguments()
    {
        RedisValue[] parts = ["XADD", "s", "MAXLEN", "~", 1000, "*", "f", new byte[] { 1, 2, 3 }];
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(writer, parts);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(writer.WrittenMemory));
        Assert.That(RespParser.TryParse(ref reader, RespLimits.Default, out var reply), Is.True);
        Assert.That(ReplyText.Render(reply!), Is.EqualTo("*[$XADD $s $MAXLEN $~ $1000 $* $f $\\x01\\x02\\x03]"));
    }

    private static string Write(params RedisValue[] parts)
    {
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(writer, parts);
        return Encoding.Latin1.GetString(writer.WrittenSpan);
    }
}
