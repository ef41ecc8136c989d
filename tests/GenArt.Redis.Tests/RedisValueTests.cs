namespace GenArt.Redis.Tests;

public sealed class RedisValueTests
{
    [Test]
    public void Default_is_null_and_renders_empty()
    {
        RedisValue value = default;
        Assert.That(value.IsNull, Is.True);
        Assert.That(value.ToString(), Is.EqualTo(""));
        Assert.That((string?)value, Is.Null);
        Assert.That(value, Is.EqualTo(RedisValue.Null));
        Assert.That(((RedisValue)(string?)null).IsNull, Is.True);
    }

    [Test]
    public void Text_bytes_and_numbers_with_the_same_wire_form_are_equal()
    {
        RedisValue text = "42", number = 42L, str = "abc", bytes = "abc"u8.ToArray();
        Assert.That(text == number, Is.True);
        Assert.That(str == bytes, Is.True);
        Assert.That(((RedisValue)"42").GetHashCode(), Is.EqualTo(((RedisValue)42).GetHashCode()));
        Assert.That((RedisValue)"a", Is.Not.EqualTo((RedisValue)"b"));
        Assert.That((RedisValue)"", Is.Not.EqualTo(RedisValue.Null));
    }

    [TestCase("123", true, 123L)]
    [TestCase("-9223372036854775808", true, long.MinValue)]
    [TestCase("12x", false, 0L)]
    [TestCase("", false, 0L)]
    public void Parses_integers_from_text(string text, bool ok, long expected)
    {
        Assert.That(((RedisValue)text).TryParseInt64(out long value), Is.EqualTo(ok));
        if (ok) Assert.That(value, Is.EqualTo(expected));
        Assert.That(((RedisValue)System.Text.Encoding.UTF8.GetBytes(text)).TryParseInt64(out _), Is.EqualTo(ok));
    }

    [Test]
    public void Explicit_long_conversion_names_the_bad_value()
    {
        var error = Assert.Throws<InvalidCastException>(() => _ = (long)(RedisValue)"nope");
        Assert.That(error!.Message, Does.Contain("'nope' is not a 64-bit integer"));
    }

    [Test]
    public void Doubles_round_trip_and_infinities_use_redis_spelling()
    {
        Assert.That(((RedisValue)0.1).ToString(), Is.EqualTo("0.1"));
        Assert.That(((RedisValue)double.PositiveInfinity).ToString(), Is.EqualTo("+inf"));
        Assert.That(((RedisValue)double.NegativeInfinity).ToString(), Is.EqualTo("-inf"));
    }

    [Test]
    public void Utf8_text_round_trips_through_bytes()
    {
        RedisValue value = "héllo ✓";
        Assert.That(((RedisValue)value.ToArray()).ToString(), Is.EqualTo("héllo ✓"));
        Assert.That(value.ToArray(), Has.Length.EqualTo(10));
    }
}
