using GenArt.Api.V1;
using GenArt.Rpc;
using static GenArt.Server.Tests.FineTuneTestKit;

namespace GenArt.Server.Tests;

/// <summary>
/// Fine-tune submissions the server must refuse: a stream out of order, spec values out of range, a name in use, and
/// image sets the intake rules turn down. Each refusal names the field (and the file, for an image), and leaves no
/// folder under {data}/finetunes, no queued job and no adapter behind.
/// </summary>
[NonParallelizable]
public sealed class FineTuneRefusalTests
{
    private const long Cap = 256 * 1024;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(new ServerOptions { MaxFineTuneBytes = Cap });

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private async Task AssertNothingLeft(RpcException e)
    {
        Assert.That(_server.FineTuneEntries(), Is.Empty, "no training-set folder remains, temporary or final");
        Assert.That((await _server.Server.Queue.QueueDepthAsync()).QueuedJobs, Is.Zero, "nothing was enqueued");
        Assert.That(await _server.Store().ListAsync("acme"), Is.Empty, "no adapter was registered");
        Assert.That(e.StatusCode, Is.Not.EqualTo(StatusCode.Internal).And.Not.EqualTo(StatusCode.Unknown), e.Status.Detail);
    }

    private async Task<RpcException> Refused(FineTuneSpec spec, IEnumerable<TrainingImage> images, StatusCode code, string detailStart)
    {
        var e = await _server.RefusedSubmitAsync(spec, images);
        Assert.That(e.StatusCode, Is.EqualTo(code), e.Status.Detail);
        Assert.That(e.Status.Detail, Does.StartWith(detailStart));
        await AssertNothingLeft(e);
        return e;
    }

    private static IEnumerable<TestCaseData> BadSpecs()
    {
        TestCaseData Case(string name, Action<FineTuneSpec> change, string field) =>
            new TestCaseData(change, field).SetName("Refuses_" + name);
        yield return Case("bad_adapter_name", s => s.AdapterName = "../Acme", "adapter_name:");
        yield return Case("empty_adapter_name", s => s.AdapterName = "", "adapter_name:");
        yield return Case("unknown_base_model", s => s.BaseModel = "sdxl-1.0", "base_model:");
        yield return Case("rank_over_128", s => s.Rank = 129, "rank:");
        yield return Case("negative_alpha", s => s.Alpha = -1, "alpha:");
        yield return Case("steps_over_100000", s => s.Steps = 100_001, "steps:");
        yield return Case("learning_rate_over_1", s => s.LearningRate = 2, "learning_rate:");
        yield return Case("learning_rate_negative", s => s.LearningRate = -1e-4f, "learning_rate:");
        yield return Case("batch_over_64", s => s.BatchSize = 65, "batch_size:");
        yield return Case("resolution_not_multiple_of_8", s => s.Resolution = 20, "resolution:");
        yield return Case("resolution_over_model_max", s => s.Resolution = 8192, "resolution:");
        yield return Case("missing_trigger_word", s => s.TriggerWord = "", "trigger_word:");
        yield return Case("trigger_word_of_two_words", s => s.TriggerWord = "acme brand", "trigger_word:");
        yield return Case("unknown_priority", s => s.Priority = (Priority)7, "priority:");
        yield return Case("overlong_idempotency_key", s => s.IdempotencyKey = new string('k', 129), "idempotency_key:");
    }

    [TestCaseSource(nameof(BadSpecs))]
    public async Task ASpecValueOutOfRangeIsInvalidArgumentNamingTheField(Action<FineTuneSpec> change, string field)
    {
        var e = await Refused(Spec(change: change), Images(3), StatusCode.InvalidArgument, field);
        Assert.That(e.Status.Detail, Does.Not.Contain(_server.DataDir), "the server's paths are not revealed");
    }

    [Test]
    public async Task AStreamWithoutASpecFirstIsRefused()
    {
        var empty = await _server.RefusedRawSubmitAsync();
        Assert.That(empty.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(empty.Status.Detail, Does.StartWith("spec:").And.Contain("empty"));
        await AssertNothingLeft(empty);

        var imageFirst = await _server.RefusedRawSubmitAsync(
            new FineTunesSubmitRequest { Image = Image("a.png", Png(0)) }, new FineTunesSubmitRequest { Spec = Spec() });
        Assert.That(imageFirst.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(imageFirst.Status.Detail, Does.StartWith("spec:").And.Contain("first"));
        await AssertNothingLeft(imageFirst);
    }

    [Test]
    public async Task ASecondSpecIsRefused()
    {
        var messages = new List<FineTunesSubmitRequest> { new() { Spec = Spec() } };
        messages.AddRange(Images(3).Select(i => new FineTunesSubmitRequest { Image = i }));
        messages.Add(new FineTunesSubmitRequest { Spec = Spec() });
        var e = await _server.RefusedRawSubmitAsync([.. messages]);
        Assert.That(e.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(e.Status.Detail, Does.StartWith("spec:").And.Contain("only the first"));
        await AssertNothingLeft(e);
    }

    [Test]
    public async Task ANameTheTenantAlreadyHasIsAlreadyExists()
    {
        await _server.UploadAsync("taken", AdapterFiles.ValidKohya());
        try
        {
            var e = await _server.RefusedSubmitAsync(Spec("taken"), Images(3));
            Assert.That(e.StatusCode, Is.EqualTo(StatusCode.AlreadyExists));
            Assert.That(e.Status.Detail, Does.StartWith("adapter_name:").And.Contain("'taken'"));
            Assert.That(_server.FineTuneEntries(), Is.Empty);
            Assert.That((await _server.Server.Queue.QueueDepthAsync()).QueuedJobs, Is.Zero);
            Assert.That((await _server.Store().ListAsync("acme")).Select(a => a.Name), Is.EqualTo(new[] { "taken" }));
        }
        finally
        {
            await _server.DeleteAsync("taken");
        }
    }

    [Test]
    public async Task TwoImagesAreTooFew() =>
        Assert.That((await Refused(Spec(), Images(2), StatusCode.InvalidArgument, "images:")).Status.Detail, Does.Contain("3-1000").And.Contain("got 2"));

    [Test]
    public async Task AThousandAndOneImagesAreTooMany()
    {
        byte[] tiny = Png(1, 1, 1);
        var images = Enumerable.Range(0, 1001).Select(i => Image($"i{i}.png", tiny));
        var e = await Refused(Spec(), images, StatusCode.InvalidArgument, "images:");
        Assert.That(e.Status.Detail, Does.Contain("3-1000"));
    }

    [Test]
    public async Task ACorruptPngIsRefusedNamingTheFile()
    {
        byte[] png = Png(5, 16, 16);
        var images = Images(3).Append(Image("broken.png", png[..(png.Length / 2)]));
        var e = await Refused(Spec(), images, StatusCode.InvalidArgument, "images (broken.png):");
        Assert.That(e.Status.Detail, Does.Contain("corrupt"));
    }

    [Test]
    public async Task AGifIsAnUnsupportedFormat()
    {
        var e = await Refused(Spec(), Images(3).Append(Image("anim.gif", Gif())), StatusCode.InvalidArgument, "images (anim.gif):");
        Assert.That(e.Status.Detail, Does.Contain("unsupported format"));
    }

    [Test]
    public async Task APngClaimingOver40MegapixelsIsRefusedFromItsHeader()
    {
        byte[] huge = HeaderOnlyPng(8000, 5001); // 40,008,000 pixels, in under 100 bytes
        Assert.That(huge.Length, Is.LessThan(100));
        var e = await Refused(Spec(), Images(3).Append(Image("huge.png", huge)), StatusCode.InvalidArgument, "images (huge.png):");
        Assert.That(e.Status.Detail, Does.Contain("pixel limit"));
    }

    [Test]
    public async Task AnOversizedCaptionIsRefusedNamingTheFile()
    {
        var images = Images(3).Append(Image("long.png", Png(9), new string('x', 1000)));
        var e = await Refused(Spec(), images, StatusCode.InvalidArgument, "captions (long.png):");
        Assert.That(e.Status.Detail, Does.Contain("1000"));
    }

    [Test]
    public async Task ImagesOverTheSizeCapAreRefusedNamingTheCap()
    {
        var rng = new Random(3);
        var images = Enumerable.Range(0, 3).Select(i =>
        {
            var bytes = new byte[100 * 1024];
            rng.NextBytes(bytes);
            return Image($"big{i}.png", bytes);
        });
        var e = await Refused(Spec(), images, StatusCode.InvalidArgument, "images (big2.png):");
        Assert.That(e.Status.Detail, Does.Contain("256 KiB").And.Contain("262144 bytes"));
    }
}
