using System.Diagnostics;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Rpc;
using GenArt.Rpc.Client;
using JobEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Integration.Tests;

/// <summary>Front ends and Redis that go away: reattaching after a front end dies, a Redis restart on AOF, a burst past the cap.</summary>
[NonParallelizable]
public sealed class FrontEndAndRedisTests
{
    [Test, CancelAfter(240_000)]
    public async Task ClientsOfADeadFrontEndReattachElsewhereAndGetTheRestOfTheirEvents()
    {
        const uint Steps = 150;
        await using var cluster = new Cluster(["--visibility-timeout", "10s"]);
        await cluster.StartRedisAsync();
        int firstPort = Cluster.FreePort();
        var (doomed, _) = await cluster.StartServeAsync(firstPort, "--coalesce-ms", "0");
        var (_, otherPort) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        await cluster.StartWorkerAsync();
        var client = cluster.Client(firstPort);

        // Two callers on the doomed front end, each some way into a job long enough (seconds) to outlive it.
        var seen = new List<JobEvent>[2];
        var calls = new AsyncServerStreamingCall<JobEvent>[2];
        // The first is running (a few progress events in); the second, sent after, waits in the queue behind it.
        for (int i = 0; i < 2; i++)
        {
            seen[i] = [];
            calls[i] = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request($"long {i}", steps: Steps, seed: (ulong)i, side: 128), cluster.Options());
            while (seen[i].Count < (i == 0 ? 3 : 1) && await calls[i].ResponseStream.MoveNext(CancellationToken.None))
                seen[i].Add(calls[i].ResponseStream.Current);
        }
        await doomed.KillHardAsync();
        for (int i = 0; i < 2; i++)
        {
            var (_, broken) = await Cluster.DrainAsync(calls[i], seen[i]);
            Assert.That(broken.StatusCode, Is.Not.EqualTo(StatusCode.OK),
                $"call {i} should have died with its front end; it got {seen[i].Count} events, the last " +
                $"{seen[i][^1].EventCase} (step {seen[i][^1].Progress?.Step}), {seen[i].Count(e => e.Image is not null)} image(s)");
            calls[i].Dispose();
        }

        // One reattaches on the other front end, the other on a new front end on the same address.
        var (_, restartedPort) = await cluster.StartServeAsync(firstPort, "--coalesce-ms", "0");
        Assert.That(restartedPort, Is.EqualTo(firstPort));
        int[] ports = [otherPort, restartedPort];
        for (int i = 0; i < 2; i++)
        {
            ulong last = seen[i][^1].Sequence;
            using var watch = cluster.Client(ports[i]).Channel.ServerStreaming(RemoteClient.Watch,
                new WatchJobRequest { JobId = seen[i][0].JobId, AfterSequence = last }, cluster.Options());
            var (rest, status) = await Cluster.DrainAsync(watch);
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            Assert.That(rest[0].Sequence, Is.EqualTo(last + 1), "the rest starts right after the last event seen");
            var all = seen[i].Concat(rest).ToList();
            Assert.That(all.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, all.Count).Select(x => (ulong)x)), "gap-free, nothing twice");
            Assert.That(all.Count(e => e.Image is not null), Is.EqualTo(1));
            Assert.That(all.Last(e => e.Progress is not null).Progress.Step, Is.EqualTo(Steps));
        }
    }

    [Test, CancelAfter(300_000)]
    public async Task ARedisRestartOnAofLosesNoAcceptedJobAndCallersGetUnavailableWhileItIsDown()
    {
        await using var cluster = new Cluster(["--visibility-timeout", "3s", "--max-deliveries", "5"]);
        var redis = await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        await cluster.StartWorkerAsync();
        var client = cluster.Client(port);

        // Eight jobs, all accepted before the restart; the worker is busy with them when Redis dies.
        const int Jobs = 8;
        var seen = new List<JobEvent>[Jobs];
        var calls = new AsyncServerStreamingCall<JobEvent>[Jobs];
        for (int i = 0; i < Jobs; i++)
        {
            seen[i] = [];
            calls[i] = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request($"durable {i}", steps: 12, seed: (ulong)i), cluster.Options());
            Assert.That(await calls[i].ResponseStream.MoveNext(CancellationToken.None), Is.True);
            seen[i].Add(calls[i].ResponseStream.Current);
            Assert.That(seen[i][0].Accepted, Is.Not.Null);
        }
        var relays = Enumerable.Range(0, Jobs).Select(i => Cluster.DrainAsync(calls[i], seen[i])).ToList();
        // appendfsync everysec may lose the last second of writes; the acceptances must be older than that.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        await redis.KillHardAsync();

        // While Redis is down a new call fails promptly with UNAVAILABLE.
        var watch = Stopwatch.StartNew();
        using (var refused = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request("while down"), cluster.Options()))
        {
            var (_, down) = await Cluster.DrainAsync(refused).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(down.StatusCode, Is.EqualTo(StatusCode.Unavailable), down.Detail);
        }
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "refused without hanging");

        await cluster.StartRedisAsync();
        foreach (var relay in relays) await relay.WaitAsync(TimeSpan.FromSeconds(60));
        for (int i = 0; i < Jobs; i++)
        {
            calls[i].Dispose();
            // Calls cut by the outage reattach from their last event; the job itself survived in Redis.
            var status = await FollowToEndAsync(cluster, port, seen[i]);
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), $"job {i}: {status.Detail}");
            Assert.That(seen[i].Count(e => e.Image is not null), Is.EqualTo(1), $"job {i}");
            Assert.That(seen[i].Select(e => e.Sequence), Is.Unique.And.Ordered.Ascending, $"job {i}");
        }

        // The front end and the worker came back by themselves: a new job runs end to end.
        using var after = client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request("after the restart"), cluster.Options());
        var (events, ok) = await Cluster.DrainAsync(after);
        Assert.That(ok.StatusCode, Is.EqualTo(StatusCode.OK), ok.Detail);
        Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
    }

    /// <summary>Reattaches with WatchJob after the last event in <paramref name="seen"/> until the job's stream ends with a status other than UNAVAILABLE.</summary>
    private static async Task<Status> FollowToEndAsync(Cluster cluster, int port, List<JobEvent> seen)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            var last = seen.Count == 0 ? 0 : seen[^1].Sequence;
            using var watch = cluster.Client(port).Channel.ServerStreaming(RemoteClient.Watch,
                new WatchJobRequest { JobId = seen[0].JobId, AfterSequence = last }, cluster.Options(TimeSpan.FromSeconds(60)));
            var fresh = new List<JobEvent>();
            var (_, status) = await Cluster.DrainAsync(watch, fresh);
            seen.AddRange(fresh.Where(e => e.Sequence > last));
            if (status.StatusCode != StatusCode.Unavailable || until.Elapsed > TimeSpan.FromSeconds(60)) return status;
            await Task.Delay(200); // a retry backoff between reattach attempts, as a client would
        }
    }

    [Test, CancelAfter(180_000)]
    public async Task ABurstPastTheCapIsRefusedWithARetryHintAndEveryAcceptedJobCompletes()
    {
        const int Cap = 4;
        await using var cluster = new Cluster(["--max-queued", Cap.ToString()]);
        await cluster.StartRedisAsync();
        var (_, port) = await cluster.StartServeAsync(0, "--coalesce-ms", "0");
        var client = cluster.Client(port);

        // No worker yet, so nothing drains while the burst arrives: exactly the cap is accepted.
        const int Burst = 16;
        var calls = Enumerable.Range(0, Burst)
            .Select(i => client.Channel.ServerStreaming(RemoteClient.Generate, Cluster.Request($"burst {i}", steps: 3, seed: (ulong)i), cluster.Options()))
            .ToList();
        var first = new List<(int Index, JobEvent? Event, Status? Status)>();
        foreach (var (call, i) in calls.Select((c, i) => (c, i)))
        {
            try
            {
                first.Add(await call.ResponseStream.MoveNext(CancellationToken.None) ? (i, call.ResponseStream.Current, null) : (i, null, call.GetStatus()));
            }
            catch (RpcException e)
            {
                first.Add((i, null, e.Status));
            }
        }
        var accepted = first.Where(f => f.Event?.Accepted is not null).Select(f => f.Index).ToList();
        var refused = first.Where(f => f.Event is null).ToList();
        Assert.That(accepted, Has.Count.EqualTo(Cap));
        Assert.That(refused, Has.Count.EqualTo(Burst - Cap));
        foreach (var r in refused)
        {
            Assert.That(r.Status!.Value.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(r.Status.Value.Detail, Does.Contain("retry after"));
        }
        var headers = await RawGenerateHeaders(port, cluster.Key, Cluster.Request("one more"));
        Assert.That(headers["grpc-status"], Is.EqualTo(((int)StatusCode.ResourceExhausted).ToString()));
        Assert.That(int.Parse(headers["grpc-retry-pushback-ms"]), Is.GreaterThan(0));

        await cluster.StartWorkerAsync();
        foreach (int i in accepted)
        {
            var events = new List<JobEvent>();
            var (_, status) = await Cluster.DrainAsync(calls[i], events).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
        }
        foreach (var c in calls) c.Dispose();
    }

    /// <summary>A raw HTTP/2 Generate call, for the grpc-* headers our client does not surface.</summary>
    private static async Task<Dictionary<string, string>> RawGenerateHeaders(int port, string key, GenerateRequest request)
    {
        using var http = new HttpClient();
        byte[] body = Google.Protobuf.MessageExtensions.ToByteArray(request);
        byte[] frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/genart.v1.Generation/Generate")
        {
            Version = new Version(2, 0), VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("authorization", "Bearer " + key);
        using var response = await http.SendAsync(message);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.Concat(response.TrailingHeaders).ToDictionary(h => h.Key, h => string.Join(",", h.Value));
    }
}
