using System.Diagnostics;
using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>Kills and restarts a redis-server of its own on the same port.</summary>
public sealed class ReconnectTests
{
    [Test]
    public async Task Commands_fail_fast_while_redis_is_down_and_succeed_once_it_is_back()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = server.Options();
        options.Database = 2;
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
        await using var client = await RedisClient.ConnectAsync(options);
        var failed = new TaskCompletionSource<RedisConnectionEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionFailed += (_, e) => failed.TrySetResult(e);
        client.ConnectionRestored += (_, _) => restored.TrySetResult();

        await client.SetAsync("before", "1");
        var inFlight = client.XReadAsync("events", "$", block: TimeSpan.FromSeconds(60));
        await server.KillAsync();

        var loss = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(loss.Error, Is.InstanceOf<RedisConnectionException>());
        Assert.That(client.IsConnected, Is.False);
        Assert.That(async () => await inFlight.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<RedisConnectionException>(),
            "a blocking read in flight fails instead of hanging");

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            var error = Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("before"));
            Assert.That(error!.Message, Does.Contain("unavailable and the client is reconnecting"));
        }
        Assert.ThrowsAsync<RedisConnectionException>(() => client.XReadAsync("events", "$", block: TimeSpan.FromSeconds(5)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "21 commands failed fast; waiting for even one connect timeout (5 s) would take longer");

        await server.RestartAsync();
        await client.WaitForConnectionAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(client.IsConnected, Is.True);
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
        Assert.That((await client.GetAsync("before")).IsNull, Is.True, "the restarted server has no persistence");
        await client.SetAsync("after", "2");
        Assert.That((await client.GetAsync("after")).ToString(), Is.EqualTo("2"));
        var info = await client.ExecuteAsync("CLIENT", "INFO");
        Assert.That(info.ToString(), Does.Contain(" db=2 "), "SELECT is repeated on reconnect");
        Assert.That(client.ConnectionCount, Is.EqualTo(2));

        var read = client.XReadAsync("events", "0", block: TimeSpan.FromSeconds(10));
        await client.XAddAsync("events", [("n", 1)]);
        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(10)), Has.Count.EqualTo(1), "blocking reads work again");
    }

    [Test]
    public async Task Commands_in_flight_when_the_server_dies_fail_with_a_connection_error()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var client = await RedisClient.ConnectAsync(server.Options());
        // BLPOP on the shared connection keeps every later command waiting behind it until the kill.
        var stuck = client.ExecuteAsync("BLPOP", "nothing", 30);
        var queued = Enumerable.Range(0, 50).Select(i => client.PingAsync($"{i}")).ToArray();
        await server.KillAsync();
        Assert.That(async () => await stuck.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<RedisConnectionException>());
        foreach (var ping in queued)
            Assert.That(async () => await ping.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task First_connect_to_a_closed_port_fails_with_a_clear_connection_error()
    {
        int port;
        await using (var server = await RedisServerProcess.StartAsync()) port = server.Port;
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync($"redis://127.0.0.1:{port}"));
        Assert.That(error!.Message, Does.Contain($"Cannot connect to Redis at 127.0.0.1:{port}: ConnectionRefused"));
    }

    [Test]
    public async Task Disposed_client_refuses_commands()
    {
        var client = await RedisClient.ConnectAsync(SharedRedis.Server.Options());
        await client.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(() => client.PingAsync());
    }
}
