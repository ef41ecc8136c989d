namespace GenArt.Redis.Tests.Integration;

public sealed class PipeliningAndBlockingTests : SharedRedisTest
{
    [Test]
    public async Task Ten_thousand_commands_in_flight_get_their_replies_in_order()
    {
        string key = Key();
        // Not awaited one by one: all 10,000 are written before the first reply is read.
        var tasks = new Task<long>[10_000];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = Client.IncrAsync(key);
        var results = await Task.WhenAll(tasks);
        Assert.That(results, Is.EqualTo(Enumerable.Range(1, 10_000).Select(i => (long)i)), "the i-th INCR sees the value i");
    }

    [Test]
    public async Task Concurrent_callers_on_many_threads_each_get_their_own_values()
    {
        string prefix = Key();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var sets = Enumerable.Range(0, 500).Select(i => Client.SetAsync($"{prefix}:{w}:{i}", $"value-{w}-{i}")).ToArray();
            await Task.WhenAll(sets);
            var gets = Enumerable.Range(0, 500).Select(i => Client.GetAsync($"{prefix}:{w}:{i}")).ToArray();
            var values = await Task.WhenAll(gets);
            return values.Select((v, i) => v.ToString() == $"value-{w}-{i}").All(ok => ok);
        })).ToArray();
        Assert.That(await Task.WhenAll(workers), Is.All.True);
    }

    [Test]
    public async Task Large_values_pipelined_with_small_ones_stay_matched()
    {
        string big = Key("big");
        // Larger than the 4 MB output buffer, so the writer has to wait for the send loop mid-pipeline.
        var payload = new byte[6 * 1024 * 1024];
        new Random(5).NextBytes(payload);
        var set = Client.SetAsync(big, payload);
        var pings = Enumerable.Range(0, 100).Select(i => Client.PingAsync($"p{i}")).ToArray();
        var get = Client.GetAsync(big);
        Assert.That(await set, Is.True);
        Assert.That(await Task.WhenAll(pings), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"p{i}")));
        var value = (await get).ToArray();
        Assert.That(value, Has.Length.EqualTo(payload.Length));
        Assert.That(value.AsSpan().SequenceEqual(payload), Is.True, "every byte came back");
    }

    [Test]
    public async Task A_blocked_read_does_not_stall_other_commands()
    {
        string stream = Key("stream"), counter = Key("counter");
        await Client.XGroupCreateAsync(stream, "g", "$", makeStream: true);
        var blocked = Client.XReadGroupAsync("g", "c", stream, block: TimeSpan.FromSeconds(30));

        // The blocked read holds its own connection; these complete while it still waits.
        var increments = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Client.IncrAsync(counter)));
        Assert.That(increments.Max(), Is.EqualTo(200));
        Assert.That(blocked.IsCompleted, Is.False, "the read is still blocked on the server");

        string id = (await Client.XAddAsync(stream, [("job", "wake")]))!;
        var delivered = await blocked.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(delivered.Single().Id, Is.EqualTo(id));
    }

    [Test]
    public async Task Several_blocked_reads_wait_side_by_side()
    {
        string stream = Key("stream");
        await Client.XGroupCreateAsync(stream, "g", "$", makeStream: true);
        var readers = Enumerable.Range(0, 3)
            .Select(i => Client.XReadGroupAsync("g", $"c{i}", stream, count: 1, block: TimeSpan.FromSeconds(30)))
            .ToArray();
        for (int i = 0; i < 3; i++) await Client.XAddAsync(stream, [("n", i)]);
        var results = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(results.Select(r => r.Single()["n"].ToString()), Is.EquivalentTo(new[] { "0", "1", "2" }),
            "each blocked consumer got exactly one of the entries");
    }

    [Test]
    public async Task Cancelling_a_blocked_read_frees_it_and_the_client_keeps_working()
    {
        string stream = Key("stream");
        await Client.XAddAsync(stream, [("n", 0)], id: "1-0");
        using var cancel = new CancellationTokenSource();
        var blocked = Client.XReadAsync(stream, "$", block: TimeSpan.FromSeconds(30), cancellationToken: cancel.Token);
        Assert.That(await Client.PingAsync(), Is.EqualTo("PONG"));
        cancel.Cancel();
        Assert.That(async () => await blocked.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<OperationCanceledException>());

        var next = Client.XReadAsync(stream, "1-0", block: TimeSpan.FromSeconds(30));
        string id = (await Client.XAddAsync(stream, [("n", 1)]))!;
        Assert.That((await next.WaitAsync(TimeSpan.FromSeconds(20))).Single().Id, Is.EqualTo(id),
            "a later blocking read gets its own reply, not the cancelled read's");
    }

    [Test]
    public async Task Generic_blocking_command_runs_off_the_shared_connection()
    {
        string list = Key("list");
        var pop = Client.ExecuteBlockingAsync(TimeSpan.FromSeconds(30), "BLPOP", [list, 30]);
        Assert.That(await Client.ExecuteAsync("RPUSH", list, "item"), Has.Property("IsError").False);
        var reply = await pop.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(reply.Elements.Select(e => e.ToString()), Is.EqualTo(new[] { list, "item" }));
    }
}
