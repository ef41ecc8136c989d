using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Imaging;
using GenArt.Jobs;
using GenArt.Rpc;
using GenArt.Worker;
using JobEvent = GenArt.Api.V1.JobEvent;

namespace GenArt.Server.Tests;

/// <summary>Generate, WatchJob, CancelJob, GetJob end to end on one server with a 100 ms coalescing window.</summary>
[NonParallelizable]
public sealed class GenerationTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(new ServerOptions { CoalesceWindow = TimeSpan.FromMilliseconds(100) });

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task SixteenConcurrentCallsEachGetAPngWithItsMetadata()
    {
        var calls = Enumerable.Range(0, 16).Select(i => _server.GenerateAllAsync(TestServer.Request($"shape number {i}", seed: (ulong)(100 + i)))).ToArray();
        var results = await Task.WhenAll(calls);
        for (int i = 0; i < results.Length; i++)
        {
            var (events, status) = results[i];
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            Assert.That(events[0].EventCase, Is.EqualTo(JobEvent.EventOneofCase.Accepted));
            Assert.That(events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, events.Count).Select(n => (ulong)n)), "gap-free sequences");
            Assert.That(events.Count(e => e.EventCase == JobEvent.EventOneofCase.Progress), Is.EqualTo(10));
            Assert.That(events.Any(e => e.Progress?.HasPreviewPng == true), Is.True, "a preview every few steps");
            var image = events.Single(e => e.EventCase == JobEvent.EventOneofCase.Image).Image;
            byte[] png = image.Png.ToByteArray();
            var raster = ImageDecoder.Decode(png, "out.png");
            Assert.That((raster.Width, raster.Height), Is.EqualTo((128, 128)));
            var chunk = PngTextReader.Read(png).Single(t => t.Keyword == PngTextEntry.GenArtKeyword);
            var record = ImageOutput.FromJson(chunk.Text)!;
            Assert.That(record.Prompt, Is.EqualTo($"shape number {i}"));
            Assert.That(record.Seed, Is.EqualTo((ulong)(100 + i)));
            Assert.That(record.Model, Is.EqualTo(TestServer.ModelName));
            Assert.That(image.Seed, Is.EqualTo((ulong)(100 + i)));
            Assert.That(image.Metadata.Prompt, Is.EqualTo($"shape number {i}"));
            Assert.That(image.Metadata.Steps, Is.EqualTo(10u));
        }
        Assert.That(_server.Server.Metrics.MaxBatchSamples, Is.GreaterThan(1), "concurrent same-key calls were coalesced");
    }

    [Test]
    public async Task ConcurrentSameKeyRequestsShareOneQueueEntry()
    {
        // A running batch keeps the queue busy, so the window gathers the four instead of dispatching the first at once.
        using var occupier = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("occupier", steps: 200), _server.Options());
        while (await occupier.ResponseStream.MoveNext(CancellationToken.None) && occupier.ResponseStream.Current.Progress is null) { }
        Assert.That(occupier.ResponseStream.Current.Progress, Is.Not.Null, "the occupying job started");

        var calls = Enumerable.Range(0, 4)
            .Select(i => _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request($"batch {i}", steps: 3), _server.Options()))
            .ToList();
        var entries = new HashSet<string>();
        foreach (var call in calls)
        {
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            Assert.That(call.ResponseStream.Current.Accepted, Is.Not.Null, "the first event is Accepted");
            var info = await _server.Server.Queue.GetJobAsync(JobId.Parse(call.ResponseStream.Current.JobId));
            entries.Add(info!.EntryId);
        }
        await _server.Client.Channel.UnaryAsync(RemoteClient.Cancel, new CancelJobRequest { JobId = occupier.ResponseStream.Current.JobId }, _server.Options());
        foreach (var call in calls)
        {
            var (_, status) = await TestServer.DrainAsync(call);
            Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
            call.Dispose();
        }
        Assert.That(entries, Has.Count.EqualTo(1), "four concurrent requests with one batch key are one queue entry");
    }

    [Test]
    public async Task CancellingOneJobMidRunEndsItCancelledWhileTheOthersFinish()
    {
        var others = Enumerable.Range(0, 3).Select(i => _server.GenerateAllAsync(TestServer.Request($"keep {i}", steps: 40))).ToArray();
        using var victim = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("victim", steps: 40), _server.Options());
        string? id = null;
        var events = new List<JobEvent>();
        Status status;
        try
        {
            await foreach (var e in victim.ResponseStream.ReadAllAsync())
            {
                events.Add(e);
                id = e.JobId;
                if (e.EventCase == JobEvent.EventOneofCase.Progress && events.Count(x => x.Progress is not null) == 1)
                    await _server.Client.Channel.UnaryAsync(RemoteClient.Cancel, new CancelJobRequest { JobId = id }, _server.Options());
            }
            status = victim.GetStatus();
        }
        catch (RpcException e)
        {
            status = e.Status;
        }
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.Cancelled), status.Detail);
        Assert.That(events.Any(e => e.Image is not null), Is.False);
        foreach (var (otherEvents, otherStatus) in await Task.WhenAll(others))
        {
            Assert.That(otherStatus.StatusCode, Is.EqualTo(StatusCode.OK), otherStatus.Detail);
            Assert.That(otherEvents.Count(e => e.Image is not null), Is.EqualTo(1));
        }
        var job = await _server.Client.Channel.UnaryAsync(RemoteClient.Get, new GetJobRequest { JobId = id }, _server.Options());
        Assert.That(job.Job.State, Is.EqualTo(Api.V1.JobState.Cancelled));
    }

    [Test]
    public async Task OneMillisecondDeadlineEndsWithDeadlineExceeded()
    {
        var (_, status) = await _server.GenerateAllAsync(TestServer.Request(), _server.Options(deadline: DateTime.UtcNow.AddMilliseconds(1)));
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }

    [Test]
    public async Task ADeadlineThatPassesMidRunFailsTheJobWithDeadlineExceeded()
    {
        using var call = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("slow", steps: 200),
            _server.Options(deadline: DateTime.UtcNow.AddMilliseconds(1500)));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        string id = call.ResponseStream.Current.JobId;
        var (_, status) = await TestServer.DrainAsync(call);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        // The worker dropped the job at its deadline: a watcher sees the job's own terminal status.
        using var watch = _server.Client.Channel.ServerStreaming(RemoteClient.Watch, new WatchJobRequest { JobId = id }, _server.Options());
        var (_, watched) = await TestServer.DrainAsync(watch);
        Assert.That(watched.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), watched.Detail);
        var job = await _server.Client.Channel.UnaryAsync(RemoteClient.Get, new GetJobRequest { JobId = id }, _server.Options());
        Assert.That(job.Job.State, Is.EqualTo(Api.V1.JobState.Failed));
        Assert.That(job.Job.ErrorCode, Is.EqualTo((int)StatusCode.DeadlineExceeded));
    }

    [Test]
    public async Task AClientThatDisconnectsCanWatchTheRestFromItsLastSequence()
    {
        var events = new List<JobEvent>();
        using (var call = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request("reattach", steps: 30), _server.Options()))
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                events.Add(call.ResponseStream.Current);
                if (events.Count == 3) break;
            }
        } // disposing resets the stream: the client is gone
        ulong last = events[^1].Sequence;
        using var watch = _server.Client.Channel.ServerStreaming(RemoteClient.Watch,
            new WatchJobRequest { JobId = events[0].JobId, AfterSequence = last }, _server.Options());
        var (rest, status) = await TestServer.DrainAsync(watch);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK), status.Detail);
        Assert.That(rest[0].Sequence, Is.EqualTo(last + 1));
        Assert.That(rest.Select(e => e.Sequence), Is.Ordered.Ascending);
        Assert.That(rest.Count(e => e.Image is not null), Is.EqualTo(1));
        Assert.That(rest.Last(e => e.Progress is not null).Progress.Step, Is.EqualTo(30u));
    }

    [Test]
    public async Task MissingOrWrongKeyIsUnauthenticated()
    {
        using var noKey = _server.Client.Channel.ServerStreaming(RemoteClient.Generate, TestServer.Request(), new Rpc.Client.CallOptions());
        Assert.That((await TestServer.DrainAsync(noKey)).Status.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        var (_, wrong) = await _server.GenerateAllAsync(TestServer.Request(), _server.Options(key: _server.Key[..^2] + "xx"));
        Assert.That(wrong.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
        var ex = Assert.ThrowsAsync<RpcException>(async () =>
            await _server.Client.Channel.UnaryAsync(RemoteClient.ListModels, new ListModelsRequest(), _server.Options(key: "ga_000000000000_nope")));
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public async Task AnotherTenantsJobIsNotFound()
    {
        var (events, status) = await _server.GenerateAllAsync(TestServer.Request(steps: 2));
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK));
        var get = Assert.ThrowsAsync<RpcException>(async () => await _server.Client.Channel.UnaryAsync(RemoteClient.Get,
            new GetJobRequest { JobId = events[0].JobId }, _server.Options(key: _server.OtherTenantKey)));
        Assert.That(get!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        var cancel = Assert.ThrowsAsync<RpcException>(async () => await _server.Client.Channel.UnaryAsync(RemoteClient.Cancel,
            new CancelJobRequest { JobId = events[0].JobId }, _server.Options(key: _server.OtherTenantKey)));
        Assert.That(cancel!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        var own = await _server.Client.Channel.UnaryAsync(RemoteClient.Get, new GetJobRequest { JobId = events[0].JobId }, _server.Options());
        Assert.That(own.Job.State, Is.EqualTo(Api.V1.JobState.Succeeded));
        Assert.That(own.Job.ImagesDone, Is.EqualTo(1u));
    }

    [Test]
    public async Task ListModelsNamesTheServersModel()
    {
        var models = await _server.Client.Channel.UnaryAsync(RemoteClient.ListModels, new ListModelsRequest(), _server.Options());
        Assert.That(models.Models.Select(m => m.Name), Is.EqualTo(new[] { TestServer.ModelName }));
        Assert.That(models.Models[0].DefaultWidth, Is.EqualTo(128u));
        Assert.That(models.Models[0].Loaded, Is.True);
        Assert.That(models.Models[0].Schedulers, Does.Contain("ddim"));
    }

    [Test]
    public async Task ARepeatedIdempotencyKeyFollowsTheFirstJob()
    {
        var first = TestServer.Request("once", steps: 3);
        first.IdempotencyKey = "order-17";
        var second = first.Clone();
        var results = await Task.WhenAll(_server.GenerateAllAsync(first), _server.GenerateAllAsync(second));
        Assert.That(results.Select(r => r.Status.StatusCode), Is.All.EqualTo(StatusCode.OK));
        Assert.That(results[1].Events[0].JobId, Is.EqualTo(results[0].Events[0].JobId), "one job for one key");
        Assert.That(results.Count(r => r.Events[0].Accepted.Deduplicated), Is.EqualTo(1));
        Assert.That(results.Select(r => r.Events.Single(e => e.Image is not null).Image.Png), Is.All.EqualTo(results[0].Events.Single(e => e.Image is not null).Image.Png));
    }

    [Test]
    public async Task AKeyCreatedWhileTheServerRunsIsAcceptedAtOnce()
    {
        string key = new Auth.ApiKeyStore(_server.DataDir).Create("initech");
        var models = await _server.Client.Channel.UnaryAsync(RemoteClient.ListModels, new ListModelsRequest(), _server.Options(key: key));
        Assert.That(models.Models, Has.Count.EqualTo(1));
    }
}
