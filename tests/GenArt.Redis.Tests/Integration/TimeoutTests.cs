namespace GenArt.Redis.Tests.Integration;

public sealed class TimeoutTests
{
    private static string Key(string name) => $"timeout:{name}:{Guid.NewGuid():N}";

    [Test]
    public async Task A_timed_out_command_faults_and_the_connection_is_recycled()
    {
        var options = SharedRedis.Server.Options();
        options.CommandTimeout = TimeSpan.FromMilliseconds(1000);
        await using var client = await RedisClient.ConnectAsync(options);
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionRestored += (_, _) => restored.TrySetResult();
        string key = Key("k");
        await client.SetAsync(key, "before");

        // BLPOP on the shared connection blocks the server side of it for 30 s, far beyond the 1 s timeout.
        var stuck = client.ExecuteAsync("BLPOP", Key("empty"), 30);
        var behind = client.GetAsync(key);
        var timeout = Assert.ThrowsAsync<RedisTimeoutException>(async () => await stuck);
        Assert.That(timeout!.Command, Is.EqualTo("BLPOP"));
        Assert.That(timeout.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(1000)));
        var lost = Assert.ThrowsAsync<RedisConnectionException>(async () => await behind);
        Assert.That(lost!.Message, Does.Contain("recycled because BLPOP timed out"));

        await restored.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That((await client.GetAsync(key)).ToString(), Is.EqualTo("before"), "the new connection's replies match its commands");
        Assert.That(client.ConnectionCount, Is.EqualTo(2));
    }

    [Test]
    public async Task Blocking_reads_get_their_block_time_on_top_of_the_command_timeout()
    {
        var options = SharedRedis.Server.Options();
        options.CommandTimeout = TimeSpan.FromMilliseconds(1000);
        await using var client = await RedisClient.ConnectAsync(options);
        string stream = Key("s");
        await client.XAddAsync(stream, [("n", 0)], id: "1-0");
        // Blocks for 2.5 s, well beyond the command timeout, and must still end normally with no entries.
        var result = await client.XReadAsync(stream, "1-0", block: TimeSpan.FromMilliseconds(2500));
        Assert.That(result, Is.Empty);
        Assert.That(client.ConnectionCount, Is.EqualTo(1), "the shared connection was never recycled");
    }

    [Test]
    public async Task A_reply_larger_than_the_configured_maximum_fails_the_command_and_the_connection_recovers()
    {
        var options = SharedRedis.Server.Options();
        options.MaxBulkLength = 16;
        await using var client = await RedisClient.ConnectAsync(options);
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionRestored += (_, _) => restored.TrySetResult();
        string key = Key("big");
        await client.SetAsync(key, new string('x', 100));
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync(key));
        Assert.That(error!.InnerException, Is.InstanceOf<RedisConnectionException>());
        Assert.That(error.ToString(), Does.Contain("exceeds the configured maximum of 16 bytes (MaxBulkLength)"));
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task A_command_given_its_own_longer_timeout_may_outlast_the_default()
    {
        var options = SharedRedis.Server.Options();
        options.CommandTimeout = TimeSpan.FromMilliseconds(300);
        await using var client = await RedisClient.ConnectAsync(options);
        // BLPOP waits a full second on an empty list, more than three times the default timeout.
        var reply = await client.ExecuteAsync("BLPOP", [Key("empty"), 1], TimeSpan.FromSeconds(10));
        Assert.That(reply.IsNull, Is.True, "BLPOP timed out on the server and answered null");
        Assert.That(client.ConnectionCount, Is.EqualTo(1), "nothing was recycled");
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ExecuteAsync("PING", [], TimeSpan.Zero));
    }
}
