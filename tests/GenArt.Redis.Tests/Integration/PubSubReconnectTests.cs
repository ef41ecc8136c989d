using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

public sealed class PubSubReconnectTests
{
    [TestCase(2)]
    [TestCase(3)]
    public async Task A_subscription_resubscribes_after_the_server_restarts(int protocol)
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = server.Options();
        options.Protocol = protocol;
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = await RedisClient.ConnectAsync(options);
        await using var subscription = await client.SubscribeAsync(["events"], ["jobs:*"]);
        var resubscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription.Resubscribed += (_, _) => resubscribed.TrySetResult();
        Assert.That(await client.PublishAsync("events", "before"), Is.EqualTo(1));
        Assert.That((await subscription.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Message.ToString(), Is.EqualTo("before"));

        await server.KillAsync();
        await server.RestartAsync();
        await client.WaitForConnectionAsync().WaitAsync(TimeSpan.FromSeconds(15));
        // The subscription notices the loss on its own connection and resubscribes.
        await resubscribed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.That(subscription.IsConnected, Is.True);
        Assert.That(await client.PublishAsync("jobs:7", "after"), Is.EqualTo(1));
        var message = await subscription.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((message.Channel, message.Pattern, message.Message.ToString()), Is.EqualTo(("jobs:7", "jobs:*", "after")));
        Assert.That(subscription.ConnectionCount, Is.EqualTo(2));
    }
}
