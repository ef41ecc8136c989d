namespace GenArt.Redis.Tests.Integration;

public sealed class StreamGroupCommandTests : SharedRedisTest
{
    private const string Group = "workers";

    private async Task<(string Key, string[] Ids)> StreamWithGroupAsync(int entries)
    {
        string key = Key("stream");
        await Client.XGroupCreateAsync(key, Group, "$", makeStream: true);
        var ids = new string[entries];
        for (int i = 0; i < entries; i++) ids[i] = (await Client.XAddAsync(key, [("job", $"j{i}")], id: $"{i + 1}-0"))!;
        return (key, ids);
    }

    /// <summary>Makes pending entries look idle for <paramref name="idle"/> without waiting, via XCLAIM's IDLE option.</summary>
    private Task AgeAsync(string key, string consumer, TimeSpan idle, params string[] ids) =>
        Client.XClaimIdsAsync(key, Group, consumer, TimeSpan.Zero, ids, new StreamClaimOptions { Idle = idle });

    [Test]
    public async Task Xgroup_create_with_mkstream_and_busygroup_on_repeat()
    {
        string key = Key();
        var missing = Assert.ThrowsAsync<RedisServerException>(() => Client.XGroupCreateAsync(key, Group));
        Assert.That(missing!.ServerMessage, Does.Contain("MKSTREAM"));
        await Client.XGroupCreateAsync(key, Group, makeStream: true);
        Assert.That(await Client.ExistsAsync(key), Is.EqualTo(1));
        var busy = Assert.ThrowsAsync<RedisServerException>(() => Client.XGroupCreateAsync(key, Group, makeStream: true));
        Assert.That((busy!.ErrorCode, busy.Command), Is.EqualTo(("BUSYGROUP", "XGROUP CREATE")));
    }

    [Test]
    public async Task Consumers_are_created_deleted_and_groups_destroyed()
    {
        var (key, _) = await StreamWithGroupAsync(2);
        Assert.That(await Client.XGroupCreateConsumerAsync(key, Group, "c1"), Is.True);
        Assert.That(await Client.XGroupCreateConsumerAsync(key, Group, "c1"), Is.False);
        await Client.XReadGroupAsync(Group, "c2", key, count: 2);
        Assert.That(await Client.XGroupDelConsumerAsync(key, Group, "c2"), Is.EqualTo(2), "DELCONSUMER reports the pending entries it dropped");
        Assert.That(await Client.XGroupDelConsumerAsync(key, Group, "c1"), Is.EqualTo(0));
        Assert.That(await Client.XGroupDestroyAsync(key, Group), Is.True);
        Assert.That(await Client.XGroupDestroyAsync(key, Group), Is.False);
    }

    [Test]
    public async Task Xreadgroup_delivers_new_entries_once_and_history_until_acked()
    {
        var (key, ids) = await StreamWithGroupAsync(3);
        var first = await Client.XReadGroupAsync(Group, "c1", key, ">", count: 2);
        Assert.That(first.Select(e => e.Id), Is.EqualTo(ids[..2]));
        Assert.That(first[1]["job"].ToString(), Is.EqualTo("j1"));
        var second = await Client.XReadGroupAsync(Group, "c2", key, ">");
        Assert.That(second.Select(e => e.Id), Is.EqualTo(ids[2..]), "another consumer gets only what is left");
        Assert.That(await Client.XReadGroupAsync(Group, "c1", key, ">"), Is.Empty);

        var history = await Client.XReadGroupAsync(Group, "c1", key, "0");
        Assert.That(history.Select(e => e.Id), Is.EqualTo(ids[..2]), "history is this consumer's pending entries");
        Assert.That(await Client.XAckAsync(key, Group, [ids[0], "999-0"]), Is.EqualTo(1));
        Assert.That(await Client.XAckAsync(key, Group, ids[0]), Is.EqualTo(0), "acking twice counts nothing");
        Assert.That((await Client.XReadGroupAsync(Group, "c1", key, "0")).Select(e => e.Id), Is.EqualTo(new[] { ids[1] }));
    }

    [Test]
    public async Task Xreadgroup_noack_leaves_nothing_pending()
    {
        var (key, _) = await StreamWithGroupAsync(2);
        Assert.That(await Client.XReadGroupAsync(Group, "c1", key, noAck: true), Has.Count.EqualTo(2));
        Assert.That((await Client.XPendingAsync(key, Group)).Count, Is.EqualTo(0));
    }

    [Test]
    public async Task Xreadgroup_history_shows_deleted_pending_entries_without_fields()
    {
        var (key, ids) = await StreamWithGroupAsync(2);
        await Client.XReadGroupAsync(Group, "c1", key);
        await Client.XDelAsync(key, [ids[0]]);
        var history = await Client.XReadGroupAsync(Group, "c1", key, "0");
        Assert.That(history.Select(e => (e.Id, e.IsDeleted)), Is.EqualTo(new[] { (ids[0], true), (ids[1], false) }));
        Assert.That(history[0]["job"].IsNull, Is.True);
    }

    [Test]
    public async Task Xreadgroup_over_several_streams()
    {
        var (a, aIds) = await StreamWithGroupAsync(1);
        var (b, bIds) = await StreamWithGroupAsync(2);
        var results = await Client.XReadGroupAsync(Group, "c1", [(a, ">"), (b, ">")]);
        Assert.That(results.Select(r => (r.Stream, r.Entries.Count)), Is.EqualTo(new[] { (a, 1), (b, 2) }));
        Assert.That(results[1].Entries.Select(e => e.Id), Is.EqualTo(bIds));
        Assert.That(results[0].Entries[0].Id, Is.EqualTo(aIds[0]));
    }

    [Test]
    public async Task Xreadgroup_on_a_missing_group_is_a_server_error()
    {
        string key = Key();
        await Client.XAddAsync(key, [("f", "v")]);
        var error = Assert.ThrowsAsync<RedisServerException>(() => Client.XReadGroupAsync("nogroup", "c", key));
        Assert.That((error!.ErrorCode, error.Command), Is.EqualTo(("NOGROUP", "XREADGROUP")));
    }

    [Test]
    public async Task Xpending_summary_counts_per_consumer_and_is_empty_when_nothing_pends()
    {
        var (key, ids) = await StreamWithGroupAsync(5);
        var empty = await Client.XPendingAsync(key, Group);
        Assert.That((empty.Count, empty.LowestId, empty.HighestId, empty.Consumers.Count), Is.EqualTo((0L, (string?)null, (string?)null, 0)));

        await Client.XReadGroupAsync(Group, "c1", key, count: 2);
        await Client.XReadGroupAsync(Group, "c2", key, count: 3);
        var summary = await Client.XPendingAsync(key, Group);
        Assert.That((summary.Count, summary.LowestId, summary.HighestId), Is.EqualTo((5L, ids[0], ids[4])));
        Assert.That(summary.Consumers, Is.EquivalentTo(new[]
        {
            new KeyValuePair<string, long>("c1", 2), new KeyValuePair<string, long>("c2", 3),
        }));
    }

    [Test]
    public async Task Xpending_extended_filters_by_idle_time_consumer_and_range()
    {
        var (key, ids) = await StreamWithGroupAsync(4);
        await Client.XReadGroupAsync(Group, "c1", key, count: 2);
        await Client.XReadGroupAsync(Group, "c2", key, count: 2);
        await AgeAsync(key, "c1", TimeSpan.FromMinutes(10), ids[0]);

        var all = await Client.XPendingRangeAsync(key, Group);
        Assert.That(all.Select(p => (p.Id, p.Consumer)), Is.EqualTo(new[] { (ids[0], "c1"), (ids[1], "c1"), (ids[2], "c2"), (ids[3], "c2") }));
        Assert.That(all[0].Idle, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(all[1].DeliveryCount, Is.EqualTo(1));

        var idle = await Client.XPendingRangeAsync(key, Group, minIdle: TimeSpan.FromMinutes(5));
        Assert.That(idle.Select(p => p.Id), Is.EqualTo(new[] { ids[0] }));
        var ofC2 = await Client.XPendingRangeAsync(key, Group, consumer: "c2");
        Assert.That(ofC2.Select(p => p.Id), Is.EqualTo(ids[2..]));
        var window = await Client.XPendingRangeAsync(key, Group, ids[1], "+", count: 2);
        Assert.That(window.Select(p => p.Id), Is.EqualTo(ids[1..3]));
    }

    [Test]
    public async Task Xclaim_moves_idle_entries_and_counts_deliveries()
    {
        var (key, ids) = await StreamWithGroupAsync(3);
        await Client.XReadGroupAsync(Group, "c1", key);
        Assert.That(await Client.XClaimAsync(key, Group, "c2", TimeSpan.FromMinutes(1), ids), Is.Empty, "nothing is idle for a minute yet");

        await AgeAsync(key, "c1", TimeSpan.FromMinutes(5), ids[0], ids[1]);
        var claimed = await Client.XClaimAsync(key, Group, "c2", TimeSpan.FromMinutes(1), ids);
        Assert.That(claimed.Select(e => e.Id), Is.EqualTo(ids[..2]));
        Assert.That(claimed[0]["job"].ToString(), Is.EqualTo("j0"));
        var pending = await Client.XPendingRangeAsync(key, Group);
        Assert.That(pending.Select(p => (p.Consumer, p.DeliveryCount)), Is.EqualTo(new[] { ("c2", 2L), ("c2", 2L), ("c1", 1L) }));

        var justIds = await Client.XClaimIdsAsync(key, Group, "c3", TimeSpan.Zero, [ids[2]]);
        Assert.That(justIds, Is.EqualTo(new[] { ids[2] }));
        Assert.That((await Client.XPendingRangeAsync(key, Group, consumer: "c3")).Single().DeliveryCount, Is.EqualTo(1), "JUSTID does not count a delivery");

        await Client.XClaimIdsAsync(key, Group, "c3", TimeSpan.Zero, [ids[2]], new StreamClaimOptions { RetryCount = 7 });
        Assert.That((await Client.XPendingRangeAsync(key, Group, consumer: "c3")).Single().DeliveryCount, Is.EqualTo(7));
    }

    [Test]
    public async Task Xclaim_force_creates_pending_entries_for_unread_ids()
    {
        var (key, ids) = await StreamWithGroupAsync(1);
        Assert.That(await Client.XClaimIdsAsync(key, Group, "c1", TimeSpan.Zero, [ids[0]]), Is.Empty, "not pending, so not claimed");
        var forced = await Client.XClaimIdsAsync(key, Group, "c1", TimeSpan.Zero, [ids[0]], new StreamClaimOptions { Force = true });
        Assert.That(forced, Is.EqualTo(new[] { ids[0] }));
        Assert.That((await Client.XPendingAsync(key, Group)).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Xautoclaim_pages_with_a_cursor_and_reports_deleted_ids()
    {
        var (key, ids) = await StreamWithGroupAsync(4);
        await Client.XReadGroupAsync(Group, "dead-worker", key);
        await AgeAsync(key, "dead-worker", TimeSpan.FromMinutes(5), ids);
        await Client.XDelAsync(key, [ids[1]]);

        var page1 = await Client.XAutoClaimAsync(key, Group, "rescuer", TimeSpan.FromMinutes(1), "0-0", count: 2);
        Assert.That(page1.Entries.Select(e => e.Id), Is.EqualTo(new[] { ids[0] }));
        Assert.That(page1.DeletedIds, Is.EqualTo(new[] { ids[1] }), "deleted entries leave the PEL and are reported");
        Assert.That(page1.NextCursor, Is.EqualTo(ids[2]), "the scan continues where COUNT stopped");

        var page2 = await Client.XAutoClaimAsync(key, Group, "rescuer", TimeSpan.FromMinutes(1), page1.NextCursor, count: 10);
        Assert.That(page2.Entries.Select(e => e.Id), Is.EqualTo(ids[2..]));
        Assert.That(page2.Entries[1]["job"].ToString(), Is.EqualTo("j3"));
        Assert.That(page2.NextCursor, Is.EqualTo("0-0"), "0-0 means the whole PEL was scanned");

        var pending = await Client.XPendingAsync(key, Group);
        Assert.That(pending.Count, Is.EqualTo(3));
        Assert.That(pending.Consumers.Single().Key, Is.EqualTo("rescuer"));
        var fresh = await Client.XAutoClaimAsync(key, Group, "other", TimeSpan.FromMinutes(1));
        Assert.That(fresh.Entries, Is.Empty, "claiming reset the idle time");
    }

    [Test]
    public async Task Xinfo_groups_and_consumers()
    {
        var (key, ids) = await StreamWithGroupAsync(3);
        await Client.XGroupCreateAsync(key, "audit", "0");
        await Client.XReadGroupAsync(Group, "c1", key, count: 2);
        await Client.XAckAsync(key, Group, ids[0]);

        var groups = await Client.XInfoGroupsAsync(key);
        Assert.That(groups.Select(g => g.Name), Is.EquivalentTo(new[] { Group, "audit" }));
        var workers = groups.Single(g => g.Name == Group);
        Assert.That((workers.Consumers, workers.Pending, workers.LastDeliveredId), Is.EqualTo((1L, 1L, ids[1])));
        Assert.That(workers.EntriesRead, Is.EqualTo(2));
        Assert.That(workers.Lag, Is.EqualTo(1));

        await AgeAsync(key, "c1", TimeSpan.FromMinutes(3), ids[1]);
        await Client.XGroupCreateConsumerAsync(key, Group, "c2");
        var consumers = await Client.XInfoConsumersAsync(key, Group);
        Assert.That(consumers.Select(c => (c.Name, c.Pending)), Is.EquivalentTo(new[] { ("c1", 1L), ("c2", 0L) }));
    }

    [Test]
    public async Task Queue_round_trip_of_a_job_with_events()
    {
        // The shape GenArt.Jobs uses: enqueue, claim, publish events to the job's stream, ack.
        string queue = Key("queue"), events = Key("events");
        await Client.XGroupCreateAsync(queue, Group, "$", makeStream: true);
        string jobId = (await Client.XAddAsync(queue, [("job", "render-42"), ("prompt", "a red fox")]))!;
        var batch = await Client.XReadGroupAsync(Group, "gpu-0", queue, count: 1, block: TimeSpan.FromSeconds(5));
        Assert.That(batch.Single().Id, Is.EqualTo(jobId));
        for (int step = 1; step <= 3; step++)
            await Client.XAddAsync(events, [("job", "render-42"), ("seq", step), ("kind", step == 3 ? "done" : "progress")]);
        Assert.That(await Client.XAckAsync(queue, Group, jobId), Is.EqualTo(1));
        var relay = await Client.XReadAsync(events, "0");
        Assert.That(relay.Select(e => e["seq"].ToString()), Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That((await Client.XPendingAsync(queue, Group)).Count, Is.EqualTo(0));
    }
}
