namespace GenArt.Redis.Tests.Integration;

public sealed class ArgumentValidationTests : SharedRedisTest
{
    [Test]
    public async Task Null_arguments_are_refused_before_anything_is_sent()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => Client.GetAsync(null!));
        Assert.That(error!.Message, Does.Contain("Argument 1 of GET is null"));
        error = Assert.ThrowsAsync<ArgumentException>(() => Client.SetAsync(Key(), RedisValue.Null));
        Assert.That(error!.Message, Does.Contain("Argument 2 of SET is null"));
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"), "nothing half-written is left on the connection");
    }

    [Test]
    public void Empty_argument_lists_and_bad_counts_name_the_rule()
    {
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => Client.DelAsync(Array.Empty<string>()))!.Message, Does.Contain("DEL needs at least one key"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => Client.XAddAsync(Key(), []))!.Message, Does.Contain("XADD needs at least one field"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => Client.XAckAsync(Key(), "g", Array.Empty<string>()))!.Message, Does.Contain("XACK needs at least one id"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.XReadAsync(Key(), "0", count: 0))!.Message, Does.Contain("COUNT must be at least 1"));
        Assert.That(Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.SetAsync(Key(), "v", TimeSpan.Zero))!.Message, Does.Contain("Expiry must be positive"));
        Assert.That(Assert.ThrowsAsync<ArgumentException>(() => Client.HSetAsync(Key(), []))!.Message, Does.Contain("HSET needs at least one field"));
        Assert.That(Assert.ThrowsAsync<InvalidOperationException>(() => Client.CreateTransaction().ExecuteAsync())!.Message, Does.Contain("no commands"));
    }
}
