namespace GenArt.Redis.Tests.Integration;

public sealed class PubSubTests : SharedRedisTest
{
    private static async Task<RedisPubSubMessage> NextAsync(RedisSubscription subscription) =>
        await subscription.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    [Test]
    public async Task Published_messages_reach_channel_and_pattern_subscribers_in_order()
    {
        string channel = Key("jobs:cancel"), other = Key("other");
        await using var subscription = await Client.SubscribeAsync([channel], [channel[..^4] + "*"]);
        Assert.That(await Client.PublishAsync(channel, "job-1"), Is.EqualTo(2), "one channel and one pattern subscription");
        var first = await NextAsync(subscription);
        var second = await NextAsync(subscription);
        var byPattern = new[] { first, second }.Single(m => m.Pattern is not null);
        var byChannel = new[] { first, second }.Single(m => m.Pattern is null);
        Assert.That((byChannel.Channel, byChannel.Message.ToString()), Is.EqualTo((channel, "job-1")));
        Assert.That((byPattern.Channel, byPattern.Pattern, byPattern.Message.ToString()), Is.EqualTo((channel, channel[..^4] + "*", "job-1")));

        Assert.That(await Client.PublishAsync(other, "nobody listens"), Is.EqualTo(0));
        await using var onlyChannel = await Client.SubscribeAsync([other]);
        for (int i = 0; i < 500; i++) _ = Client.PublishAsync(other, i);
        for (int i = 0; i < 500; i++) Assert.That((await NextAsync(onlyChannel)).Message.ToString(), Is.EqualTo(i.ToString()));
    }

    [Test]
    public async Task Binary_payloads_arrive_intact()
    {
        string channel = Key();
        await using var subscription = await Client.SubscribeAsync([channel]);
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Client.PublishAsync(channel, payload);
        Assert.That((await NextAsync(subscription)).Message.ToArray(), Is.EqualTo(payload));
    }

    [Test]
    public async Task Dispose_unsubscribes_and_completes_the_reader()
    {
        string channel = Key();
        var subscription = await Client.SubscribeAsync([channel]);
        Assert.That(subscription.IsConnected, Is.True);
        await subscription.DisposeAsync();
        await subscription.Messages.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        var numsub = await Client.ExecuteAsync("PUBSUB", "NUMSUB", channel);
        Assert.That(numsub.Elements[1].ToInt64(), Is.EqualTo(0), "the server no longer counts a subscriber");
    }

    [Test]
    public async Task A_slow_reader_loses_the_oldest_messages_and_they_are_counted()
    {
        string channel = Key();
        await using var subscription = await Client.SubscribeAsync([channel], capacity: 10);
        for (int i = 0; i < 50; i++) await Client.PublishAsync(channel, i);
        await Client.PublishAsync(channel, "last");
        var seen = new List<string>();
        while (seen.LastOrDefault() != "last") seen.Add((await NextAsync(subscription)).Message.ToString());
        // Nothing was read while 51 messages arrived, so at most 10 (plus any the reader freed room for) survive.
        Assert.That(subscription.DroppedMessages, Is.GreaterThan(0));
        Assert.That(seen.Count + subscription.DroppedMessages, Is.EqualTo(51), "every message was either delivered or counted");
        var numbers = seen.SkipLast(1).Select(int.Parse).ToList();
        Assert.That(numbers, Is.Ordered.Ascending, "survivors keep their order");
        Assert.That(numbers[^1], Is.EqualTo(49), "dropping takes the oldest, so the newest always survives");
    }

    [Test]
    public void Subscribing_to_nothing_is_refused()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => Client.SubscribeAsync([]));
        Assert.That(error!.Message, Does.Contain("at least one channel or pattern"));
    }
}
