namespace GenArt.Redis.Tests.Integration;

public sealed class StreamCommandTests : SharedRedisTest
{
    [Test]
    public async Task Xadd_assigns_ids_or_takes_explicit_ones_and_refuses_going_backwards()
    {
        string key = Key();
        string? auto = await Client.XAddAsync(key, [("job", "j1")]);
        Assert.That(auto, Does.Match(@"^\d+-\d+$"));
        Assert.That(await Client.XAddAsync(key, [("job", "j2")], id: "99999999999999-5"), Is.EqualTo("99999999999999-5"));
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.XAddAsync(key, [("job", "j3")], id: "1-1"));
        Assert.That(error!.Command, Is.EqualTo("XADD"));
        Assert.That(error.ServerMessage, Does.Contain("equal or smaller"));
        Assert.That(await Client.XLenAsync(key), Is.EqualTo(2));
        Assert.That(await Client.XLenAsync(Key("missing")), Is.EqualTo(0));
    }

    [Test]
    public async Task Xadd_nomkstream_leaves_a_missing_stream_missing()
    {
        string key = Key();
        Assert.That(await Client.XAddAsync(key, [("f", "v")], noMakeStream: true), Is.Null);
        Assert.That(await Client.ExistsAsync(key), Is.EqualTo(0));
        await Client.XAddAsync(key, [("f", "v")]);
        Assert.That(await Client.XAddAsync(key, [("f", "w")], noMakeStream: true), Is.Not.Null);
        Assert.That(await Client.XLenAsync(key), Is.EqualTo(2));
    }

    [Test]
    public async Task Xadd_with_exact_maxlen_keeps_exactly_the_newest_entries()
    {
        string key = Key();
        for (int i = 1; i <= 10; i++) await Client.XAddAsync(key, [("n", i)], id: $"{i}-0", trim: StreamTrim.MaxLength(3));
        var entries = await Client.XRangeAsync(key);
        Assert.That(entries.Select(e => e.Id), Is.EqualTo(new[] { "8-0", "9-0", "10-0" }));
    }

    [Test]
    public async Task Xadd_with_approximate_maxlen_keeps_at_least_the_threshold()
    {
        string key = Key();
        for (int i = 1; i <= 300; i++) await Client.XAddAsync(key, [("n", i)], trim: StreamTrim.MaxLength(100, approximate: true));
        long length = await Client.XLenAsync(key);
        // "~" trims only whole macro nodes (100 entries each by default), so 100 <= length < 300.
        Assert.That(length, Is.InRange(100, 299));
    }

    [Test]
    public async Task Xadd_with_minid_drops_older_ids()
    {
        string key = Key();
        for (int i = 1; i <= 5; i++) await Client.XAddAsync(key, [("n", i)], id: $"{i}-0");
        await Client.XAddAsync(key, [("n", 6)], id: "6-0", trim: StreamTrim.MinId("4-0"));
        Assert.That((await Client.XRangeAsync(key)).Select(e => e.Id), Is.EqualTo(new[] { "4-0", "5-0", "6-0" }));
    }

    [Test]
    public async Task Xtrim_reports_evicted_entries()
    {
        string key = Key();
        for (int i = 1; i <= 6; i++) await Client.XAddAsync(key, [("n", i)], id: $"{i}-0");
        Assert.That(await Client.XTrimAsync(key, StreamTrim.MaxLength(4)), Is.EqualTo(2));
        Assert.That(await Client.XTrimAsync(key, StreamTrim.MinId("5-0")), Is.EqualTo(2));
        // "~" evicts whole radix-tree nodes only; with MAXLEN 0 the one remaining node may go entirely (LIMIT 10 allows it).
        Assert.That(await Client.XTrimAsync(key, StreamTrim.MaxLength(0, approximate: true, limit: 10)), Is.EqualTo(2));
        Assert.That(await Client.XLenAsync(key), Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => StreamTrim.MaxLength(1, approximate: false, limit: 5));
    }

    [Test]
    public async Task Xrange_and_xrevrange_with_bounds_counts_and_exclusive_start()
    {
        string key = Key();
        for (int i = 1; i <= 5; i++) await Client.XAddAsync(key, [("n", i), ("label", $"entry {i}")], id: $"{i}-0");
        var all = await Client.XRangeAsync(key);
        Assert.That(all.Select(e => e.Id), Is.EqualTo(new[] { "1-0", "2-0", "3-0", "4-0", "5-0" }));
        Assert.That(all[2]["label"].ToString(), Is.EqualTo("entry 3"));
        Assert.That(all[2].Fields!.Select(f => f.Key), Is.EqualTo(new[] { "n", "label" }), "fields keep their order");
        Assert.That((await Client.XRangeAsync(key, "2-0", "4-0")).Select(e => e.Id), Is.EqualTo(new[] { "2-0", "3-0", "4-0" }));
        Assert.That((await Client.XRangeAsync(key, "(2-0", "+", count: 2)).Select(e => e.Id), Is.EqualTo(new[] { "3-0", "4-0" }));
        Assert.That((await Client.XRevRangeAsync(key, count: 2)).Select(e => e.Id), Is.EqualTo(new[] { "5-0", "4-0" }));
        Assert.That((await Client.XRevRangeAsync(key, "3-0", "1-0")).Select(e => e.Id), Is.EqualTo(new[] { "3-0", "2-0", "1-0" }));
        Assert.That(await Client.XRangeAsync(Key("missing")), Is.Empty);
    }

    [Test]
    public async Task Xread_returns_entries_after_the_given_ids_across_streams()
    {
        string a = Key("a"), b = Key("b");
        await Client.XAddAsync(a, [("n", 1)], id: "1-0");
        await Client.XAddAsync(a, [("n", 2)], id: "2-0");
        await Client.XAddAsync(b, [("n", 3)], id: "3-0");
        var results = await Client.XReadAsync([(a, "1-0"), (b, "0")]);
        Assert.That(results.Select(r => r.Stream), Is.EqualTo(new[] { a, b }));
        Assert.That(results[0].Entries.Select(e => e.Id), Is.EqualTo(new[] { "2-0" }));
        Assert.That(results[1].Entries.Single()["n"].ToString(), Is.EqualTo("3"));
        Assert.That(await Client.XReadAsync(a, "2-0"), Is.Empty);
        Assert.That((await Client.XReadAsync(a, "0", count: 1)).Select(e => e.Id), Is.EqualTo(new[] { "1-0" }));
    }

    [Test]
    public async Task Xread_block_times_out_empty_and_wakes_up_for_a_new_entry()
    {
        string key = Key();
        string last = (await Client.XAddAsync(key, [("n", 0)]))!;
        Assert.That(await Client.XReadAsync(key, last, block: TimeSpan.FromMilliseconds(50)), Is.Empty, "nothing new within the block time");

        // Reading after a known id (not "$") makes the outcome independent of whether XADD lands before the read blocks.
        var read = Client.XReadAsync(key, last, block: TimeSpan.FromSeconds(20));
        string added = (await Client.XAddAsync(key, [("n", 1)]))!;
        var entries = await read.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(entries.Select(e => e.Id), Is.EqualTo(new[] { added }));
    }

    [Test]
    public async Task Xdel_removes_entries()
    {
        string key = Key();
        await Client.XAddAsync(key, [("n", 1)], id: "1-0");
        await Client.XAddAsync(key, [("n", 2)], id: "2-0");
        Assert.That(await Client.XDelAsync(key, ["1-0", "7-0"]), Is.EqualTo(1));
        Assert.That((await Client.XRangeAsync(key)).Select(e => e.Id), Is.EqualTo(new[] { "2-0" }));
    }

    [Test]
    public async Task Xinfo_stream_reports_length_ids_groups_and_edge_entries()
    {
        string key = Key();
        await Client.XAddAsync(key, [("n", 1)], id: "1-0");
        await Client.XAddAsync(key, [("n", 2)], id: "2-0");
        await Client.XGroupCreateAsync(key, "g1", "0");
        var info = await Client.XInfoStreamAsync(key);
        Assert.That((info.Length, info.LastGeneratedId, info.Groups), Is.EqualTo((2L, "2-0", 1L)));
        Assert.That(info.FirstEntry!.Id, Is.EqualTo("1-0"));
        Assert.That(info.LastEntry!["n"].ToString(), Is.EqualTo("2"));
        Assert.That(info.Fields["entries-added"].ToInt64(), Is.EqualTo(2), "Redis 7 fields are kept");
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.XInfoStreamAsync(Key("missing")));
        Assert.That(error!.Command, Is.EqualTo("XINFO STREAM"));
    }
}
