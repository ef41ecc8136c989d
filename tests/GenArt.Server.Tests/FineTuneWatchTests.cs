using GenArt.Api.V1;
using GenArt.Cli;
using GenArt.Jobs;
using GenArt.Rpc;
using static GenArt.Server.Tests.FineTuneTestKit;

namespace GenArt.Server.Tests;

/// <summary>
/// FineTunes.Watch and Cancel, with the test acting as the worker: it claims the fine-tune entry from the server's
/// queue and publishes training steps, the result and the end, as a trainer does.
/// </summary>
[NonParallelizable]
public sealed class FineTuneWatchTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private IJobQueue Queue => _server.Server.Queue;

    [Test]
    public async Task WatchFollowsTrainingLiveToTheAdapterAndReattachesAfterASequence()
    {
        string id = (await _server.SubmitAsync(Spec("watched"), Images(3))).FineTuneId;
        var jobId = JobId.Parse(id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var call = _server.Client.Channel.ServerStreaming(RemoteClient.WatchFineTune, new FineTunesWatchRequest { FineTuneId = id },
            _server.Options(ct: timeout.Token));
        Assert.That(await call.ResponseStream.MoveNext(timeout.Token), Is.True);
        var queued = call.ResponseStream.Current;
        Assert.That((queued.FineTuneId, queued.Sequence, queued.EventCase), Is.EqualTo((id, 1UL, FineTunesWatchResponse.EventOneofCase.Queued)));

        var claim = await _server.ClaimFineTuneAsync();
        Assert.That(claim.Entry.Jobs[0].Id, Is.EqualTo(jobId));
        byte[] preview = Png(7), base0 = Png(1), adapted0 = Png(2), base1 = Png(3), adapted1 = Png(4);
        string sha = new('a', 64);
        await Queue.PublishAsync(jobId, new TrainingStep(1, 2, 0.5, preview));
        await Queue.PublishAsync(jobId, new TrainingStep(2, 2, 0.25, null));
        await Queue.PublishAsync(jobId, new TrainingResult("watched", sha, 0.25,
            [new TrainingPreview(42, Trigger, base0, adapted0), new TrainingPreview(43, "zqacme img", base1, adapted1)]));
        await Queue.PublishAsync(jobId, new JobCompleted());
        Assert.That(await Queue.AckAsync(claim), Is.True);

        var live = new List<FineTunesWatchResponse>();
        while (await call.ResponseStream.MoveNext(timeout.Token)) live.Add(call.ResponseStream.Current);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(live.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 2, 3, 4 }));
        Assert.That(live.Select(e => e.EventCase), Is.EqualTo(new[]
        {
            FineTunesWatchResponse.EventOneofCase.Progress, FineTunesWatchResponse.EventOneofCase.Progress, FineTunesWatchResponse.EventOneofCase.Completed,
        }));
        var step1 = live[0].Progress;
        Assert.That((step1.Step, step1.Total, step1.Loss, step1.HasPreviewPng), Is.EqualTo((1U, 2U, 0.5f, true)));
        Assert.That(step1.PreviewPng.ToByteArray(), Is.EqualTo(preview));
        Assert.That((live[1].Progress.Step, live[1].Progress.Loss, live[1].Progress.HasPreviewPng), Is.EqualTo((2U, 0.25f, false)));
        var done = live[2].Completed;
        Assert.That((done.AdapterId, done.FinalLoss, done.Sha256), Is.EqualTo(("watched", 0.25f, sha)));
        Assert.That(done.Previews.Select(p => (p.Seed, p.Prompt)), Is.EqualTo(new[] { (42UL, Trigger), (43UL, "zqacme img") }));
        Assert.That(done.Previews.Select(p => (p.BasePng.ToByteArray(), p.AdaptedPng.ToByteArray())),
            Is.EqualTo(new[] { (base0, adapted0), (base1, adapted1) }));

        var (after2, status) = await _server.WatchAllAsync(id, after: 2);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(after2.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 3, 4 }));
        var (all, _) = await _server.WatchAllAsync(id);
        Assert.That(all.Select(e => e.Sequence), Is.EqualTo(new ulong[] { 1, 2, 3, 4 }));
        Assert.That(await _server.CancelAsync(id), Is.False, "a finished fine-tune is not cancelled");
    }

    [Test]
    public async Task AFailedFineTuneEndsTheWatchWithTheMappedStatus()
    {
        string id = (await _server.SubmitAsync(Spec("failing"), Images(3))).FineTuneId;
        var claim = await _server.ClaimFineTuneAsync();
        await Queue.PublishAsync(JobId.Parse(id), new TrainingStep(1, 20, 0.9, null));
        await Queue.PublishAsync(JobId.Parse(id), new JobFailed(JobErrorCode.ResourceExhausted, "the device ran out of memory"));
        await Queue.AckAsync(claim);

        var (events, status) = await _server.WatchAllAsync(id);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(status.Detail, Does.Contain("the device ran out of memory"));
        Assert.That(events.Select(e => e.EventCase), Is.EqualTo(new[]
        {
            FineTunesWatchResponse.EventOneofCase.Queued, FineTunesWatchResponse.EventOneofCase.Progress,
        }));
    }

    [Test]
    public async Task CancellingAQueuedFineTuneEndsItAndRemovesItsSet()
    {
        string id = (await _server.SubmitAsync(Spec("dropped"), Images(3))).FineTuneId;
        Assert.That(Directory.Exists(_server.SetFolder(id)), Is.True);
        Assert.That(await _server.CancelAsync(id), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_server.DataDir, "finetunes", id)), Is.False, "nobody will train it: its folder is gone");
        var (events, status) = await _server.WatchAllAsync(id);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(events.Select(e => e.EventCase), Is.EqualTo(new[] { FineTunesWatchResponse.EventOneofCase.Queued }));
        Assert.That(await _server.CancelAsync(id), Is.False, "already cancelled");
        Assert.That(await Queue.ClaimAsync(EntryKind.FineTune, "test-trainer", TimeSpan.Zero), Is.Null, "nothing is left to claim");
    }

    [Test]
    public async Task CancellingARunningFineTuneTellsItsWorker()
    {
        string id = (await _server.SubmitAsync(Spec("stopped"), Images(3))).FineTuneId;
        var claim = await _server.ClaimFineTuneAsync();
        Assert.That(await _server.CancelAsync(id), Is.True);
        Assert.That(await Queue.IsCancelledAsync(JobId.Parse(id)), Is.True);
        Assert.That(Directory.Exists(_server.SetFolder(id)), Is.True, "the worker that holds it removes the folder when it stops");
        var (_, status) = await _server.WatchAllAsync(id);
        Assert.That(status.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await Queue.AckAsync(claim);
    }

    [Test]
    public async Task AnotherTenantsAnUnknownAndAGenerationJobsIdAreNotFoundAlike()
    {
        string id = (await _server.SubmitAsync(Spec("private"), Images(3))).FineTuneId;
        string unknown = JobId.New().Value;
        var (generated, generateStatus) = await _server.GenerateAllAsync(TestServer.Request(steps: 2));
        Assert.That(generateStatus.StatusCode, Is.EqualTo(StatusCode.OK), generateStatus.Detail);
        string generation = generated[0].JobId;

        async Task<Status> WatchStatus(string which, string? key) => (await _server.WatchAllAsync(which, key: key)).Status;
        async Task<Status> CancelStatus(string which, string? key)
        {
            var e = Assert.ThrowsAsync<RpcException>(async () => await _server.CancelAsync(which, key));
            return e!.Status;
        }

        var cases = new (string Id, string? Key)[] { (id, _server.OtherTenantKey), (unknown, null), (generation, null) };
        foreach (var (which, key) in cases)
        {
            foreach (var status in new[] { await WatchStatus(which, key), await CancelStatus(which, key) })
            {
                Assert.That(status.StatusCode, Is.EqualTo(StatusCode.NotFound), which);
                Assert.That(status.Detail, Is.EqualTo($"fine_tune_id: fine-tune {which} was not found"));
            }
        }
        var malformed = await WatchStatus("not-an-id", null);
        Assert.That((malformed.StatusCode, malformed.Detail), Is.EqualTo((StatusCode.InvalidArgument, "fine_tune_id: 'not-an-id' is not a fine-tune id")));

        var info = await Queue.GetJobAsync(JobId.Parse(id));
        Assert.That(info!.State, Is.EqualTo(Jobs.JobState.Queued), "the other tenant's cancel did nothing");
        Assert.That(await _server.CancelAsync(id), Is.True);
    }
}
