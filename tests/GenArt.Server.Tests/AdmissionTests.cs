using System.Net.Http;
using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Jobs;
using GenArt.Rpc;
using Google.Protobuf;
using JobEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Server.Tests;

/// <summary>Queue cap, abandoned calls and the ops port, on a server with a one-job queue and no grace.</summary>
[NonParallelizable]
public sealed class AdmissionTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(
        new ServerOptions { CoalesceWindow = TimeSpan.Zero, AbandonGrace = TimeSpan.Zero },
        new JobQueueOptions { MaxQueuedJobs = 1, QueueFullRetryAfter = TimeSpan.FromSeconds(3) });

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task AFullQueueIsResourceExhaustedWithARetryHint()
    {
        // The worker is busy with the first job; the second waits in the queue; the third does not fit.
        using var running = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("running", steps: 200), _server.Options());
        await ReadUntilProgress(running);
        using var queued = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("queued"), _server.Options());
        Assert.That(await queued.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        Assert.That(queued.ResponseStream.Current.Accepted.QueuePosition, Is.Zero);

        using var refused = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("refused"), _server.Options());
        var (events, status) = await TestServer.DrainAsync(refused);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(status.Detail, Does.Contain("retry after 3 s"));
        Assert.That(events, Is.Empty);
        // Our client does not surface grpc-* metadata, so the pushback is read from a raw HTTP/2 response.
        var headers = await RawGenerateHeaders(TestServer.Request("refused raw"));
        Assert.That(headers["grpc-status"], Is.EqualTo(((int)StatusCode.ResourceExhausted).ToString()));
        Assert.That(headers["grpc-retry-pushback-ms"], Is.EqualTo("3000"));

        foreach (var call in new[] { running, queued })
            await _server.Client.Channel.UnaryAsync(RemoteClient.Cancel, new CancelJobRequest { JobId = call.ResponseStream.Current.JobId }, _server.Options());
        Assert.That((await TestServer.DrainAsync(running)).Status.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That((await TestServer.DrainAsync(queued)).Status.StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task AClientThatCancelsItsCallCancelsItsJob()
    {
        var cts = new CancellationTokenSource();
        string id;
        using (var call = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("abandoned", steps: 200), _server.Options(ct: cts.Token)))
        {
            id = (await ReadUntilProgress(call)).JobId;
            cts.Cancel();
        }
        // Follow the job on the queue itself first: a WatchJob call attached before the server has seen the
        // client's reset would count as a reattach and keep the job alive.
        Jobs.JobEvent? last = null;
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await foreach (var e in _server.Server.Queue.WatchAsync(JobId.Parse(id), 0, limit.Token))
                last = e;
        }
        Assert.That(last?.Body, Is.InstanceOf<Jobs.JobCancelled>());
        using var watch = _server.Client.Channel.ServerStreaming(RemoteClient.Watch, new WatchJobRequest { JobId = id, AfterSequence = 1 }, _server.Options());
        var (events, status) = await TestServer.DrainAsync(watch);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.Cancelled), status.Detail);
        Assert.That(events.Any(e => e.Image is not null), Is.False, "the job stopped before its image");
        var info = await _server.Server.Queue.GetJobAsync(JobId.Parse(id));
        Assert.That(info!.State, Is.EqualTo(Jobs.JobState.Cancelled));
    }

    [Test]
    public async Task ARepeatThatLeavesDoesNotCancelTheFirstCallersJob()
    {
        var request = TestServer.Request("shared", steps: 40);
        request.IdempotencyKey = "shared-job";
        using var first = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, request, _server.Options());
        string id = (await ReadUntilProgress(first)).JobId;
        using (var repeat = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, request.Clone(), _server.Options()))
        {
            Assert.That(await repeat.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(repeat.ResponseStream.Current.JobId, Is.EqualTo(id));
            Assert.That(repeat.ResponseStream.Current.Accepted.Deduplicated, Is.True);
        } // the repeat goes away mid-run
        var (events, status) = await TestServer.DrainAsync(first);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        Assert.That(events.Count(e => e.Image is not null), Is.EqualTo(1));
    }

    [Test]
    public async Task TheOpsPortServesHealthReadinessAndMetrics()
    {
        var (_, ok) = await _server.GenerateAllAsync(TestServer.Request("metered", steps: 2));
        Assert.That(ok.StatusCode, Is.EqualTo(StatusCode.OK));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.Server.Host.MetricsPort}") };
        Assert.That(await http.GetStringAsync("/healthz"), Is.EqualTo("ok\n"));
        Assert.That((await http.GetAsync("/readyz")).IsSuccessStatusCode, Is.True);
        string metrics = await http.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Contain("genart_requests_total{method=\"Generate\",code=\"OK\"}"));
        Assert.That(metrics, Does.Contain("genart_queue_jobs{priority=\"interactive\"} 0"));
        Assert.That(metrics, Does.Match(@"genart_images_total [1-9]"));
        Assert.That(metrics, Does.Match(@"genart_step_seconds_count [1-9]"));
        Assert.That(metrics, Does.Match(@"genart_batch_samples_count [1-9]"));
    }

    private async Task<Dictionary<string, string>> RawGenerateHeaders(GenerateRequest request)
    {
        using var http = new HttpClient();
        byte[] body = request.ToByteArray();
        byte[] frame = new byte[5 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_server.Server.Host.GrpcPort}/genart.v1.Generation/Generate")
        {
            Version = new Version(2, 0), VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("authorization", "Bearer " + _server.Key);
        using var response = await http.SendAsync(message);
        await response.Content.ReadAsByteArrayAsync();
        return response.Headers.Concat(response.TrailingHeaders).ToDictionary(h => h.Key, h => string.Join(",", h.Value));
    }

    private static async Task<JobEvent> ReadUntilProgress(Rpc.Client.AsyncServerStreamingCall<JobEvent> call)
    {
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
            if (call.ResponseStream.Current.Progress is not null) return call.ResponseStream.Current;
        throw new AssertionException("the stream ended before any progress");
    }
}
