using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

public sealed class BackgroundConnectTests
{
    [Test]
    public async Task A_client_created_before_redis_starts_fails_fast_then_connects_when_it_comes_up()
    {
        int port = RedisServerProcess.FreePort();
        var options = new RedisOptions
        {
            Host = "127.0.0.1", Port = port,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(20), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        await using var client = RedisClient.Create(options);
        Assert.That(client.IsConnected, Is.False);
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());
        Assert.That(error!.Message, Does.Contain($"Redis at 127.0.0.1:{port} is unavailable"));

        await using var server = await RedisServerProcess.StartAsync(port: port);
        await client.WaitForConnectionAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.That(await client.PingAsync(), Is.EqualTo("PONG"));
        Assert.That(client.ConnectionCount, Is.EqualTo(1));
    }

    [Test]
    public void Create_validates_options_up_front()
    {
        var error = Assert.Throws<ArgumentException>(() => RedisClient.Create(new RedisOptions { Port = 0 }));
        Assert.That(error!.ParamName, Is.EqualTo("Port"));
    }
}
