namespace GenArt.Redis.Tests.Integration;

public sealed class ScriptingTests : SharedRedisTest
{
    private const string CompareAndSet = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    [Test]
    public async Task Eval_passes_keys_and_args_and_returns_the_script_reply()
    {
        var reply = await Client.EvalAsync("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2}", [Key("k")], ["arg", 21]);
        Assert.That(reply.Elements.Select(e => e.ToString()).Skip(1), Is.EqualTo(new[] { "arg", "42" }));
        Assert.That(reply.Elements[0].ToString(), Does.StartWith(nameof(Eval_passes_keys_and_args_and_returns_the_script_reply)));
    }

    [Test]
    public async Task Script_load_digest_matches_the_local_sha1_and_evalsha_runs_it()
    {
        var script = new RedisScript(CompareAndSet);
        Assert.That(await Client.ScriptLoadAsync(CompareAndSet), Is.EqualTo(script.Sha1));
        string key = Key();
        await Client.SetAsync(key, "old");
        Assert.That((await Client.EvalShaAsync(script.Sha1, [key], ["old", "new"])).ToInt64(), Is.EqualTo(1));
        Assert.That((await Client.EvalShaAsync(script.Sha1, [key], ["old", "newer"])).ToInt64(), Is.EqualTo(0));
        Assert.That((await Client.GetAsync(key)).ToString(), Is.EqualTo("new"));
    }

    [Test]
    public async Task Script_helper_reloads_after_the_cache_was_flushed()
    {
        var script = new RedisScript(CompareAndSet + "\n-- " + Guid.NewGuid());
        string key = Key();
        await Client.SetAsync(key, "a");
        var unknown = Assert.ThrowsAsync<RedisServerException>(() => Client.EvalShaAsync(script.Sha1, [key], ["a", "b"]));
        Assert.That(unknown!.ErrorCode, Is.EqualTo("NOSCRIPT"));

        Assert.That((await script.EvaluateAsync(Client, [key], ["a", "b"])).ToInt64(), Is.EqualTo(1));
        var exists = await Client.ExecuteAsync("SCRIPT", "EXISTS", script.Sha1);
        Assert.That(exists.Elements.Single().ToInt64(), Is.EqualTo(1), "the helper loaded the script");

        await Client.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.That((await script.EvaluateAsync(Client, [key], ["b", "c"])).ToInt64(), Is.EqualTo(1));
        Assert.That((await Client.GetAsync(key)).ToString(), Is.EqualTo("c"));
    }

    [Test]
    public async Task Script_runtime_errors_surface_as_server_errors()
    {
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.EvalAsync("return redis.call('NOPE')", [], []));
        Assert.That(error!.Command, Is.EqualTo("EVAL"));
        Assert.That(error.ServerMessage, Does.Contain("Unknown Redis command"));
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"));
    }
}
