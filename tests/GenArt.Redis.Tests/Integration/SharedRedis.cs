using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>One redis-server for the command tests in this namespace; each test uses its own keys.</summary>
[SetUpFixture]
public sealed class SharedRedis
{
    private static RedisServerProcess? _server;

    internal static RedisServerProcess Server => _server ?? throw new InvalidOperationException("The shared redis-server is not running.");

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RedisServerProcess.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _server = null;
    }
}

/// <summary>Base for tests against the shared server: a connected client and unique key names per test.</summary>
public abstract class SharedRedisTest
{
    private protected RedisClient Client { get; private set; } = null!;

    [SetUp]
    public async Task ConnectAsync() => Client = await RedisClient.ConnectAsync(SharedRedis.Server.Options());

    [TearDown]
    public async Task DisconnectAsync() => await Client.DisposeAsync();

    /// <summary>A key no other test uses.</summary>
    private protected static string Key(string name = "k") =>
        $"{TestContext.CurrentContext.Test.MethodName}:{name}:{Guid.NewGuid():N}";
}
