namespace GenArt.Redis.Tests.Integration;

public sealed class SharedConnectionGuardTests : SharedRedisTest
{
    [TestCase("SUBSCRIBE", "use SubscribeAsync")]
    [TestCase("psubscribe", "use SubscribeAsync")]
    [TestCase("MONITOR", "endless stream of replies")]
    [TestCase("MULTI", "use CreateTransaction")]
    [TestCase("WATCH", "WATCH is not supported")]
    [TestCase("SELECT", "set the database in the connection string")]
    [TestCase("RESET", "reset authentication")]
    public void State_changing_commands_are_refused_on_the_shared_connection(string command, string why)
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => Client.ExecuteAsync(command, "x"));
        Assert.That(error!.Message, Does.Contain($"{command.ToUpperInvariant()} cannot run on the shared connection").And.Contain(why));
    }

    [Test]
    public async Task Client_reply_is_refused_and_the_connection_keeps_matching_replies()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => Client.ExecuteAsync("CLIENT", "REPLY", "OFF"));
        Assert.That(error!.Message, Does.Contain("replies are matched to commands in order"));
        Assert.That(await Client.PingAsync("still in step"), Is.EqualTo("still in step"));
        Assert.That((await Client.ExecuteAsync("CLIENT", "ID")).Kind, Is.EqualTo(RedisReplyKind.Integer), "other CLIENT subcommands pass");
    }
}
