using GenArt.Api.V1;
using GenArt.Jobs;
using GenArt.Redis;
using GenArt.Redis.Tests.Infrastructure;
using GenArt.Rpc;
using AdapterRef = GenArt.Api.V1.AdapterRef;

namespace GenArt.Server.Tests;

/// <summary>
/// The registry in Redis behind a real server: what one front end registers, a second front end over the same Redis
/// and data directory sees, with the same isolation and refusals as the embedded registry.
/// </summary>
[NonParallelizable]
public sealed class AdapterRedisTests
{
    private RedisServerProcess _redis = null!;
    private RedisClient _client = null!;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _redis = await RedisServerProcess.StartAsync();
        _client = await RedisClient.ConnectAsync(_redis.Options());
        _server = await TestServer.StartAsync(adapters: new RedisAdapterStore(_client, "it:"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        await _client.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Test]
    public async Task UploadUseAndDeleteGoThroughRedis()
    {
        byte[] bytes = AdapterFiles.ValidKohya(seed: 7);
        var adapter = await _server.UploadAsync("redis-look", bytes, change: m => m.Description = "in redis");

        // A second front end's view: its own connection to the same Redis and prefix.
        await using var other = await RedisClient.ConnectAsync(_redis.Options());
        var record = await new RedisAdapterStore(other, "it:").GetAsync("acme", "redis-look");
        Assert.That(record!.Sha256, Is.EqualTo(adapter.Sha256));
        Assert.That(record.Description, Is.EqualTo("in redis"));
        Assert.That(File.Exists(Path.Combine(_server.DataDir, "adapters", adapter.Sha256 + ".safetensors")));
        Assert.That(File.Exists(Path.Combine(_server.DataDir, "adapters", "registry.json")), Is.False, "the embedded registry is not used");

        var get = Assert.ThrowsAsync<RpcException>(() => _server.GetAsync("redis-look", key: _server.OtherTenantKey));
        Assert.That(get!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        var r = TestServer.Request(steps: 2);
        r.Adapters.Add(new AdapterRef { Name = "redis-look", Scale = 1 });
        var (_, status) = await _server.GenerateAllAsync(r);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        var (_, refused) = await _server.GenerateAllAsync(r, _server.Options(_server.OtherTenantKey));
        Assert.That(refused.StatusCode, Is.EqualTo(StatusCode.NotFound));

        var duplicate = await _server.RefusedUploadAsync("redis-look", bytes);
        Assert.That(duplicate.StatusCode, Is.EqualTo(StatusCode.AlreadyExists));

        await _server.DeleteAsync("redis-look");
        Assert.That(await new RedisAdapterStore(other, "it:").GetAsync("acme", "redis-look"), Is.Null);
        Assert.That(_server.AdapterFileNames(), Is.Empty);
    }

    [Test]
    public async Task ARefusedUploadLeavesNoKeyAndNoFile()
    {
        var files = _server.StoredFiles();
        var e = await _server.RefusedUploadAsync("broken", AdapterFiles.WrongShape());
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(_server.StoredFiles(), Is.EqualTo(files));
        string sha = AdapterTestKit.Sha256(AdapterFiles.WrongShape());
        long keys = await _client.ExistsAsync(["it:adapter:acme:broken", "it:adapters:acme", $"it:adapter-refs:{sha}"]);
        Assert.That(keys, Is.Zero);
    }
}
