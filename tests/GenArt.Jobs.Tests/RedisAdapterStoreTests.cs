using GenArt.Redis.Tests.Infrastructure;
using GenArt.Redis;
using GenArt.Jobs.Tests.Redis;

namespace GenArt.Jobs.Tests;

/// <summary>The contract against a real redis-server; each test uses its own key prefix on one server.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisAdapterStoreTests : AdapterStoreContractTests
{
    private RedisServerProcess _server = null!;
    private RedisClient _client = null!;
    private RedisClient? _second;
    private string _prefix = null!;

    [OneTimeSetUp]
    public async Task StartRedis()
    {
        _server = await RedisServerProcess.StartAsync();
        _client = await RedisClient.ConnectAsync(_server.Options());
    }

    [OneTimeTearDown]
    public async Task StopRedis()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [TearDown]
    public async Task DisposeSecondClient()
    {
        if (_second is not null) await _second.DisposeAsync();
        _second = null;
    }

    protected override Task<IAdapterStore> CreateStoreAsync()
    {
        _prefix = $"t{Guid.NewGuid():N}:";
        return Task.FromResult<IAdapterStore>(new RedisAdapterStore(_client, _prefix));
    }

    /// <summary>A second front end: its own connection, same server and prefix.</summary>
    protected override async Task<IAdapterStore> ReopenAsync()
    {
        _second = await RedisClient.ConnectAsync(_server.Options());
        return new RedisAdapterStore(_second, _prefix);
    }

    [Test]
    public async Task StoresWithDifferentPrefixesAreSeparate()
    {
        await Store.TryAddAsync(Record());
        var other = new RedisAdapterStore(_client, "other:");
        Assert.That(await other.GetAsync("acme", "ink-style"), Is.Null);
        Assert.That(await other.IsReferencedAsync(Sha("a")), Is.False);
        Assert.That(await other.TryAddAsync(Record()), Is.True);
    }

    [Test]
    public async Task KeysFollowTheDocumentedLayoutAndDeleteLeavesNone()
    {
        await Store.TryAddAsync(Record());
        var type = await _client.ExecuteAsync("TYPE", [$"{_prefix}adapter:acme:ink-style"]);
        Assert.That(type.ToString(), Is.EqualTo("hash"));
        var members = await _client.ExecuteAsync("SMEMBERS", [$"{_prefix}adapters:acme"]);
        Assert.That(members.Elements.Select(e => e.ToString()), Is.EqualTo(new[] { "ink-style" }));
        var refs = await _client.ExecuteAsync("SMEMBERS", [$"{_prefix}adapter-refs:{Sha("a")}"]);
        Assert.That(refs.Elements.Select(e => e.ToString()), Is.EqualTo(new[] { "acme:ink-style" }));

        await Store.DeleteAsync("acme", "ink-style");
        long left = await _client.ExistsAsync([$"{_prefix}adapter:acme:ink-style", $"{_prefix}adapters:acme", $"{_prefix}adapter-refs:{Sha("a")}"]);
        Assert.That(left, Is.Zero, "an emptied set disappears with its last member");
    }

    [Test]
    public async Task TheStoreWorksAfterTheScriptCacheIsFlushed()
    {
        await Store.TryAddAsync(Record(name: "before"));
        await _client.ExecuteAsync("SCRIPT", ["FLUSH"]);
        Assert.That(await Store.TryAddAsync(Record(name: "after", content: "b")), Is.True);
        Assert.That(await Store.DeleteAsync("acme", "before"), Is.True);
    }
}
