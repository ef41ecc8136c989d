namespace GenArt.Redis.Tests;

public sealed class RedisReplyTests
{
    [Test]
    public void Conversions_accept_numeric_strings_and_name_the_shape_when_they_cannot()
    {
        Assert.That(RedisReply.BulkString("17"u8.ToArray()).ToInt64(), Is.EqualTo(17));
        Assert.That(RedisReply.SimpleString("3.5").ToDouble(), Is.EqualTo(3.5));
        Assert.That(RedisReply.Integer(1).ToBoolean(), Is.True);
        var error = Assert.Throws<RedisProtocolException>(() => RedisReply.BulkString("abc"u8.ToArray()).ToInt64());
        Assert.That(error!.Message, Does.Contain("Expected an integer reply but got BulkString 'abc'"));
        error = Assert.Throws<RedisProtocolException>(() => RedisReply.Array(RedisReply.Integer(1)).ToBytes());
        Assert.That(error!.Message, Does.Contain("Expected a scalar reply but got Array of 1"));
    }

    [Test]
    public void Nulls_convert_to_null_values()
    {
        Assert.That(RedisReply.NullBulkString.ToValue().IsNull, Is.True);
        Assert.That(RedisReply.Null.ToBytes(), Is.Null);
        Assert.That(RedisReply.NullArray.Elements, Is.Empty);
        Assert.That(RedisReply.NullArray.IsAggregate, Is.False);
    }

    [Test]
    public void Aggregate_refuses_scalar_kinds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RedisReply.Aggregate(RedisReplyKind.Integer, []));
    }
}
