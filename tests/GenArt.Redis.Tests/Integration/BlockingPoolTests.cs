namespace GenArt.Redis.Tests.Integration;

/// <summary>How blocking reads share their connection pool.</summary>
public sealed class BlockingPoolTests
{
    private static string Key(string name) => $"pool:{name}:{Guid.NewGuid():N}";

    private static async Task<int> ConnectionsNamedAsync(RedisClient client, string name)
    {
        string list = (await client.ExecuteAsync("CLIENT", "LIST")).ToString();
        return list.Split('\n').Count(line => line.Contains($" name={name} ", StringComparison.Ordinal));
    }

    [Test]
    public async Task Sequential_blocking_reads_reuse_one_connection()
    {
        var options = SharedRedis.Server.Options();
        options.ClientName = "reuse-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await RedisClient.ConnectAsync(options);
        string stream = Key("s");
        for (int i = 0; i < 5; i++)
        {
            await client.XAddAsync(stream, [("n", i)], id: $"{i + 1}-0");
            var entries = await client.XReadAsync(stream, $"{i}-0", block: TimeSpan.FromSeconds(5));
            Assert.That(entries.Single().Id, Is.EqualTo($"{i + 1}-0"));
        }
        Assert.That(await ConnectionsNamedAsync(client, options.ClientName), Is.EqualTo(2), "the shared connection plus one blocking connection");
    }

    [Test]
    public async Task When_every_blocking_connection_is_busy_a_further_read_times_out_unsent()
    {
        var options = SharedRedis.Server.Options();
        options.MaxBlockingConnections = 1;
        options.CommandTimeout = TimeSpan.FromMilliseconds(1000);
        await using var client = await RedisClient.ConnectAsync(options);
        string stream = Key("s");
        await client.XAddAsync(stream, [("n", 0)], id: "1-0");
        var first = client.XReadAsync(stream, "1-0", block: TimeSpan.FromSeconds(30));
        var error = Assert.ThrowsAsync<RedisTimeoutException>(() => client.XReadAsync(stream, "1-0", block: TimeSpan.FromSeconds(1)));
        Assert.That(error!.Message, Does.Contain("was not sent: all 1 blocking connections stayed busy"));
        Assert.That(first.IsCompleted, Is.False);
        await client.XAddAsync(stream, [("n", 1)], id: "2-0");
        Assert.That((await first.WaitAsync(TimeSpan.FromSeconds(20))).Single().Id, Is.EqualTo("2-0"));
    }

    [Test]
    public async Task Disposing_the_client_fails_commands_in_flight_with_a_connection_error()
    {
        var client = await RedisClient.ConnectAsync(SharedRedis.Server.Options());
        var stuck = client.ExecuteAsync("BLPOP", Key("nothing"), 30);
        var blocked = client.XReadAsync(Key("s"), "$", block: TimeSpan.FromSeconds(30));
        Assert.That(stuck.IsCompleted || blocked.IsCompleted, Is.False);
        await client.DisposeAsync();
        var error = Assert.ThrowsAsync<RedisConnectionException>(async () => await stuck.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(error!.Message, Does.Contain("closed by the client"));
        Assert.That(async () => await blocked.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<RedisException>().Or.InstanceOf<OperationCanceledException>());
    }
}
