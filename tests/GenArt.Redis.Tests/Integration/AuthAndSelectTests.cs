using GenArt.Redis.Tests.Infrastructure;

namespace GenArt.Redis.Tests.Integration;

/// <summary>A server with a default-user password and an ACL user limited to its own keys.</summary>
public sealed class AuthAndSelectTests
{
    private RedisServerProcess _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RedisServerProcess.StartAsync([
        "--requirepass", "default-secret",
        "--user", "worker", "on", ">w0rker:pass", "~jobs:*", "+@all",
    ]);

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [Test]
    public async Task Password_only_authenticates_the_default_user()
    {
        await using var client = await RedisClient.ConnectAsync($"redis://:default-secret@127.0.0.1:{_server.Port}");
        Assert.That((await client.ExecuteAsync("ACL", "WHOAMI")).ToString(), Is.EqualTo("default"));
        Assert.That(await client.SetAsync("anything", 1), Is.True);
    }

    [Test]
    public async Task Acl_user_authenticates_and_is_held_to_its_key_pattern()
    {
        await using var client = await RedisClient.ConnectAsync($"redis://worker:w0rker%3Apass@127.0.0.1:{_server.Port}");
        Assert.That((await client.ExecuteAsync("ACL", "WHOAMI")).ToString(), Is.EqualTo("worker"));
        Assert.That(await client.SetAsync("jobs:1", "queued"), Is.True);
        var denied = Assert.ThrowsAsync<RedisServerException>(() => client.SetAsync("other", "x"));
        Assert.That(denied!.ErrorCode, Is.EqualTo("NOPERM"));
    }

    [Test]
    public async Task Acl_user_over_resp3_authenticates_with_hello()
    {
        var options = _server.Options();
        (options.User, options.Password, options.Protocol) = ("worker", "w0rker:pass", 3);
        await using var client = await RedisClient.ConnectAsync(options);
        Assert.That((await client.ExecuteAsync("ACL", "WHOAMI")).ToString(), Is.EqualTo("worker"));
    }

    [TestCase("redis://:wrong@127.0.0.1:{0}", "AUTH")]
    [TestCase("redis://worker:wrong@127.0.0.1:{0}", "AUTH")]
    [TestCase("redis://worker:wrong@127.0.0.1:{0}?protocol=3", "HELLO")]
    public void Wrong_password_fails_the_connect_with_the_server_reason(string uri, string command)
    {
        var error = Assert.ThrowsAsync<RedisConnectionException>(() => RedisClient.ConnectAsync(string.Format(uri, _server.Port)));
        Assert.That(error!.Message, Does.Contain($"refused the connection setup ({command})"));
        var server = error.InnerException as RedisServerException;
        Assert.That(server?.ErrorCode, Is.EqualTo("WRONGPASS"));
    }

    [Test]
    public async Task Without_credentials_commands_are_refused_with_noauth()
    {
        await using var client = await RedisClient.ConnectAsync(_server.Options());
        var error = Assert.ThrowsAsync<RedisServerException>(() => client.GetAsync("k"));
        Assert.That(error!.ErrorCode, Is.EqualTo("NOAUTH"));
    }

    [Test]
    public async Task Database_from_the_connection_string_is_selected_and_isolated()
    {
        await using var db5 = await RedisClient.ConnectAsync($"redis://:default-secret@127.0.0.1:{_server.Port}/5?name=select-test");
        await using var db0 = await RedisClient.ConnectAsync($"redis://:default-secret@127.0.0.1:{_server.Port}");
        await db5.SetAsync("where", "five");
        Assert.That((await db5.GetAsync("where")).ToString(), Is.EqualTo("five"));
        Assert.That((await db0.GetAsync("where")).IsNull, Is.True);
        var info = (await db5.ExecuteAsync("CLIENT", "INFO")).ToString();
        Assert.That(info, Does.Contain(" db=5 ").And.Contain(" name=select-test "));
    }

    [Test]
    public void Database_beyond_the_server_range_fails_the_connect()
    {
        var error = Assert.ThrowsAsync<RedisConnectionException>(() =>
            RedisClient.ConnectAsync($"redis://:default-secret@127.0.0.1:{_server.Port}/99"));
        Assert.That(error!.Message, Does.Contain("(SELECT)").And.Contain("DB index is out of range"));
    }
}
