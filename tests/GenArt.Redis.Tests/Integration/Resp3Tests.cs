namespace GenArt.Redis.Tests.Integration;

/// <summary>The same commands over RESP3 (HELLO 3), where Redis answers with maps, doubles and nulls.</summary>
public sealed class Resp3Tests
{
    private RedisClient _client = null!;

    [SetUp]
    public async Task ConnectAsync()
    {
        var options = SharedRedis.Server.Options();
        options.Protocol = 3;
        _client = await RedisClient.ConnectAsync(options);
    }

    [TearDown]
    public async Task DisconnectAsync() => await _client.DisposeAsync();

    private static string Key(string name) => $"resp3:{name}:{Guid.NewGuid():N}";

    [Test]
    public async Task Hello_reports_protocol_3_as_a_map()
    {
        var hello = await _client.ExecuteAsync("HELLO");
        Assert.That(hello.Kind, Is.EqualTo(RedisReplyKind.Map));
        var fields = hello.Elements.Chunk(2).ToDictionary(p => p[0].ToString(), p => p[1]);
        Assert.That(fields["proto"].ToInt64(), Is.EqualTo(3));
        Assert.That(fields["server"].ToString(), Is.EqualTo("redis"));
    }

    [Test]
    public async Task Doubles_nulls_and_maps_arrive_typed()
    {
        string zset = Key("z"), hash = Key("h");
        await _client.ExecuteAsync("ZADD", zset, 1.5, "member");
        var score = await _client.ExecuteAsync("ZSCORE", zset, "member");
        Assert.That((score.Kind, score.ToDouble()), Is.EqualTo((RedisReplyKind.Double, 1.5)));
        var missing = await _client.ExecuteAsync("GET", Key("missing"));
        Assert.That((missing.Kind, missing.IsNull), Is.EqualTo((RedisReplyKind.Null, true)));
        Assert.That((await _client.GetAsync(Key("missing"))).IsNull, Is.True);

        await _client.HSetAsync(hash, [("a", 1), ("b", "two")]);
        var raw = await _client.ExecuteAsync("HGETALL", hash);
        Assert.That(raw.Kind, Is.EqualTo(RedisReplyKind.Map));
        var typed = await _client.HGetAllAsync(hash);
        Assert.That(typed.ToDictionary(p => p.Key, p => p.Value.ToString()), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1", ["b"] = "two" }));
    }

    [Test]
    public async Task Stream_commands_parse_resp3_map_replies()
    {
        string key = Key("s");
        await _client.XGroupCreateAsync(key, "g", "$", makeStream: true);
        string id = (await _client.XAddAsync(key, [("job", "j1")]))!;
        var raw = await _client.ExecuteAsync("XREAD", "STREAMS", key, "0");
        Assert.That(raw.Kind, Is.EqualTo(RedisReplyKind.Map), "RESP3 XREAD is a map of stream to entries");
        Assert.That((await _client.XReadAsync(key, "0")).Single().Id, Is.EqualTo(id));
        Assert.That((await _client.XReadGroupAsync("g", "c", key, block: TimeSpan.FromSeconds(1))).Single()["job"].ToString(), Is.EqualTo("j1"));
        Assert.That(await _client.XReadGroupAsync("g", "c", key, block: TimeSpan.FromMilliseconds(20)), Is.Empty, "RESP3 null on timeout");
        var info = await _client.XInfoStreamAsync(key);
        Assert.That((info.Length, info.LastGeneratedId, info.Groups), Is.EqualTo((1L, id, 1L)));
        var groups = await _client.XInfoGroupsAsync(key);
        Assert.That((groups.Single().Name, groups.Single().Pending), Is.EqualTo(("g", 1L)));
        var pending = await _client.XPendingAsync(key, "g");
        Assert.That(pending.Consumers.Single(), Is.EqualTo(new KeyValuePair<string, long>("c", 1)));
    }

    [Test]
    public async Task Push_messages_are_never_taken_for_command_replies()
    {
        string key = Key("tracked");
        await _client.SetAsync(key, "v1");
        // With tracking on, Redis pushes an "invalidate" message to this connection when another client changes the key.
        Assert.That((await _client.ExecuteAsync("CLIENT", "TRACKING", "ON")).ToString(), Is.EqualTo("OK"));
        Assert.That((await _client.GetAsync(key)).ToString(), Is.EqualTo("v1"));
        await using (var other = await RedisClient.ConnectAsync(SharedRedis.Server.Options()))
            await other.SetAsync(key, "v2");
        // The push was queued to this connection before the other client's SET returned, so it precedes these replies.
        Assert.That(await _client.PingAsync(), Is.EqualTo("PONG"));
        Assert.That((await _client.GetAsync(key)).ToString(), Is.EqualTo("v2"));
    }
}
