namespace GenArt.Redis.Tests.Integration;

public sealed class StringAndKeyCommandTests : SharedRedisTest
{
    [Test]
    public async Task Ping_answers_pong_or_echoes()
    {
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"));
        Assert.That(await Client.PingAsync("hello there"), Is.EqualTo("hello there"));
    }

    [Test]
    public async Task Set_then_get_round_trips_text_and_missing_keys_are_null()
    {
        string key = Key();
        Assert.That(await Client.SetAsync(key, "héllo ✓"), Is.True);
        Assert.That((await Client.GetAsync(key)).ToString(), Is.EqualTo("héllo ✓"));
        Assert.That((await Client.GetAsync(Key("missing"))).IsNull, Is.True);
    }

    [Test]
    public async Task Binary_values_round_trip_byte_for_byte()
    {
        string key = Key();
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Client.SetAsync(key, all);
        Assert.That((await Client.GetAsync(key)).ToArray(), Is.EqualTo(all));
    }

    [Test]
    public async Task Set_nx_writes_only_when_missing_and_xx_only_when_present()
    {
        string key = Key();
        Assert.That(await Client.SetAsync(key, "a", condition: SetCondition.IfExists), Is.False);
        Assert.That(await Client.ExistsAsync(key), Is.EqualTo(0));
        Assert.That(await Client.SetAsync(key, "first", condition: SetCondition.IfNotExists), Is.True);
        Assert.That(await Client.SetAsync(key, "second", condition: SetCondition.IfNotExists), Is.False);
        Assert.That((await Client.GetAsync(key)).ToString(), Is.EqualTo("first"));
        Assert.That(await Client.SetAsync(key, "third", condition: SetCondition.IfExists), Is.True);
        Assert.That((await Client.GetAsync(key)).ToString(), Is.EqualTo("third"));
    }

    [Test]
    public async Task Set_with_expiry_uses_seconds_or_milliseconds()
    {
        string seconds = Key("ex"), millis = Key("px");
        await Client.SetAsync(seconds, "v", TimeSpan.FromSeconds(100));
        await Client.SetAsync(millis, "v", TimeSpan.FromMilliseconds(90_500));
        Assert.That(await Client.TtlAsync(seconds), Is.InRange(95, 100));
        Assert.That(await Client.PTtlAsync(millis), Is.InRange(85_000, 90_500));
        Assert.That(await Client.SetAsync(Key("nx"), "v", TimeSpan.FromSeconds(5), SetCondition.IfNotExists), Is.True);
    }

    [Test]
    public async Task Del_and_exists_count_keys()
    {
        string a = Key("a"), b = Key("b"), missing = Key("missing");
        await Client.SetAsync(a, 1);
        await Client.SetAsync(b, 2);
        Assert.That(await Client.ExistsAsync([a, b, missing, a]), Is.EqualTo(3), "a key named twice counts twice");
        Assert.That(await Client.DelAsync([a, b, missing]), Is.EqualTo(2));
        Assert.That(await Client.ExistsAsync(a), Is.EqualTo(0));
        Assert.That(await Client.DelAsync(a), Is.EqualTo(0));
    }

    [Test]
    public async Task Expire_pexpire_and_ttl_report_missing_and_persistent_keys()
    {
        string key = Key();
        Assert.That(await Client.TtlAsync(key), Is.EqualTo(-2), "missing key");
        Assert.That(await Client.ExpireAsync(key, TimeSpan.FromSeconds(10)), Is.False, "EXPIRE on a missing key");
        await Client.SetAsync(key, "v");
        Assert.That(await Client.TtlAsync(key), Is.EqualTo(-1), "no expiry");
        Assert.That(await Client.ExpireAsync(key, TimeSpan.FromSeconds(50)), Is.True);
        Assert.That(await Client.TtlAsync(key), Is.InRange(45, 50));
        Assert.That(await Client.PExpireAsync(key, TimeSpan.FromMilliseconds(20_000)), Is.True);
        Assert.That(await Client.PTtlAsync(key), Is.InRange(15_000, 20_000));
        Assert.That(await Client.PExpireAsync(Key("missing"), TimeSpan.FromSeconds(1)), Is.False);
    }

    [Test]
    public async Task Incr_counts_from_zero_and_rejects_non_integers_with_the_server_message()
    {
        string key = Key();
        Assert.That(await Client.IncrAsync(key), Is.EqualTo(1));
        Assert.That(await Client.IncrAsync(key), Is.EqualTo(2));
        Assert.That(await Client.IncrByAsync(key, 40), Is.EqualTo(42));
        string text = Key("text");
        await Client.SetAsync(text, "abc");
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.IncrAsync(text));
        Assert.That(error!.Command, Is.EqualTo("INCR"));
        Assert.That(error.ErrorCode, Is.EqualTo("ERR"));
        Assert.That(error.ServerMessage, Does.Contain("not an integer"));
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"), "an error reply leaves the connection usable");
    }

    [Test]
    public async Task Wrong_type_errors_carry_their_code_and_command()
    {
        string key = Key();
        await Client.SetAsync(key, "plain");
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.HGetAsync(key, "f"));
        Assert.That((error!.Command, error.ErrorCode), Is.EqualTo(("HGET", "WRONGTYPE")));
        Assert.That(error.Message, Does.StartWith("Redis HGET failed: WRONGTYPE"));
    }

    [Test]
    public async Task Hash_commands()
    {
        string key = Key();
        Assert.That(await Client.HSetAsync(key, [("state", "queued"), ("attempts", 0), ("payload", new byte[] { 1, 2, 3 })]), Is.EqualTo(3));
        Assert.That(await Client.HSetAsync(key, [("state", "running"), ("worker", "w1")]), Is.EqualTo(1), "only new fields count");
        Assert.That((await Client.HGetAsync(key, "state")).ToString(), Is.EqualTo("running"));
        Assert.That((await Client.HGetAsync(key, "nope")).IsNull, Is.True);
        Assert.That(await Client.HIncrByAsync(key, "attempts", 3), Is.EqualTo(3));
        Assert.That(await Client.HIncrByAsync(key, "attempts", -1), Is.EqualTo(2));

        var all = await Client.HGetAllAsync(key);
        Assert.That(all.Keys, Is.EquivalentTo(new[] { "state", "attempts", "payload", "worker" }));
        Assert.That(all["attempts"].ToString(), Is.EqualTo("2"));
        Assert.That(all["payload"].ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));

        Assert.That(await Client.HDelAsync(key, ["worker", "nope"]), Is.EqualTo(1));
        Assert.That(await Client.HSetAsync(key, "solo", "x"), Is.EqualTo(1));
        Assert.That(await Client.HDelAsync(key, "solo"), Is.EqualTo(1));
        Assert.That((await Client.HGetAllAsync(key)).Keys, Is.EquivalentTo(new[] { "state", "attempts", "payload" }));
        Assert.That(await Client.HGetAllAsync(Key("missing")), Is.Empty);
    }

    [Test]
    public async Task Generic_execute_runs_any_command_and_reports_errors_with_its_name()
    {
        string key = Key();
        await Client.SetAsync(key, "12345");
        var reply = await Client.ExecuteAsync("strlen", key);
        Assert.That((reply.Kind, reply.ToInt64()), Is.EqualTo((RedisReplyKind.Integer, 5L)));
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.ExecuteAsync("NOSUCHCOMMAND", "x"));
        Assert.That(error!.Command, Is.EqualTo("NOSUCHCOMMAND"));
        Assert.That(error.ServerMessage, Does.Contain("unknown command"));
    }

    [Test]
    public async Task Transaction_runs_atomically_and_reports_per_command_results()
    {
        string counter = Key("counter"), text = Key("text");
        await Client.SetAsync(text, "abc");
        var results = await Client.CreateTransaction()
            .Add("INCR", counter)
            .Add("INCRBY", counter, 10)
            .Add("INCR", text)
            .Add("GET", counter)
            .ExecuteAsync();
        Assert.That(results, Has.Count.EqualTo(4));
        Assert.That(results[0].ToInt64(), Is.EqualTo(1));
        Assert.That(results[1].ToInt64(), Is.EqualTo(11));
        Assert.That(results[2].IsError, Is.True, "a runtime error fails only its own command");
        Assert.That(results[2].ToString(), Does.Contain("not an integer"));
        Assert.That(results[3].ToString(), Is.EqualTo("11"));
    }

    [Test]
    public async Task Transaction_with_a_queueing_error_is_aborted_and_nothing_runs()
    {
        string counter = Key("counter");
        var tx = Client.CreateTransaction().Add("INCR", counter).Add("SET", counter);
        var error = Assert.ThrowsAsync<RedisServerException>(() => tx.ExecuteAsync());
        Assert.That(error!.ServerMessage, Does.StartWith("EXECABORT"));
        Assert.That(error.ServerMessage, Does.Contain("SET: ERR wrong number of arguments"));
        Assert.That(await Client.ExistsAsync(counter), Is.EqualTo(0));
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task Transactions_interleaved_with_pipelined_commands_stay_atomic()
    {
        string key = Key();
        var noise = Enumerable.Range(0, 2000).Select(_ => Client.IncrAsync(key)).ToList();
        var tx = Enumerable.Range(0, 20).Select(_ => Client.CreateTransaction().Add("INCR", key).Add("INCR", key).ExecuteAsync()).ToList();
        await Task.WhenAll(noise);
        foreach (var results in await Task.WhenAll(tx))
            Assert.That(results[1].ToInt64(), Is.EqualTo(results[0].ToInt64() + 1), "nothing ran between the two INCRs");
        Assert.That((long)await Client.GetAsync(key), Is.EqualTo(2040));
    }
}
