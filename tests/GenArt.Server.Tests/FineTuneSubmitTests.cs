using GenArt.Api.V1;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Imaging;
using GenArt.Jobs;
using GenArt.Server.Services;
using Microsoft.Extensions.DependencyInjection;
using static GenArt.Server.Tests.FineTuneTestKit;
using JobPriority = GenArt.Jobs.JobPriority;

namespace GenArt.Server.Tests;

/// <summary>
/// Accepted fine-tune submissions: one FineTune queue entry with the spec, its defaults and its preview samples, and
/// the prepared set stored where the worker reads it; a repeated idempotency key returns the first fine-tune.
/// </summary>
[NonParallelizable]
public sealed class FineTuneSubmitTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private ModelDescriptor Model => _server.Server.Host.Services.GetRequiredService<ModelCatalog>().Find(TestServer.ModelName)!;

    [Test]
    public async Task AValidSubmissionEnqueuesOneFineTuneAndStoresItsPreparedSet()
    {
        byte[] jpeg = File.ReadAllBytes(FixturePath("orient_6.jpg"));
        TrainingImage[] images =
        [
            Image("a.png", Png(0, 12, 10), "a red square"), Image("b.png", Png(1)), Image("c.png", Png(2, 20, 16), "  "),
            Image("photo.jpg", jpeg, "zqacme on a desk"),
        ];
        var response = await _server.SubmitAsync(Spec(), images);
        Assert.That(response.ImageCount, Is.EqualTo(4));
        Assert.That(JobId.TryParse(response.FineTuneId, out var id), Is.True, response.FineTuneId);

        var claim = await _server.ClaimFineTuneAsync();
        try
        {
            var entry = claim.Entry;
            Assert.That((entry.Kind, entry.Priority, entry.Batch), Is.EqualTo((EntryKind.FineTune, JobPriority.Batch, (BatchSpec?)null)));
            // Checkpoints every tenth of the 20 steps, previews every fifth: the documented defaults.
            Assert.That(entry.FineTune, Is.EqualTo(new FineTuneJobSpec("acme-style", TestServer.ModelName, 4, 2, 20, 1e-3, 2, 16, 42, Trigger, true,
                id.Value, 4, CheckpointEvery: 2, PreviewEvery: 4)));
            var job = entry.Jobs.Single();
            Assert.That((job.Id, job.Tenant, job.IdempotencyKey, job.Deadline), Is.EqualTo((id, "acme", (string?)null, (DateTimeOffset?)null)));
            Assert.That(job.Samples.Select(s => (s.Prompt, s.NegativePrompt, s.Seed, s.ImageIndex, s.Adapters.Count)),
                Is.EqualTo(new[] { (Trigger, "", 42L, 0, 0), ("zqacme a red square", "", 43L, 1, 0) }));
            Assert.That(job.Samples.Select(s => s.GuidanceScale), Is.All.EqualTo(Model.DefaultGuidance));

            var set = TrainingSetFolder.Load(_server.SetFolder(id.Value));
            Assert.That(set.Select(e => e.Caption), Is.EqualTo(new[] { "zqacme a red square", Trigger, Trigger, "zqacme on a desk" }));
            Assert.That(set.Select(e => e.Size), Is.All.EqualTo(16));
            var upright = ImageResizer.ResizeAndCenterCrop(ImageDecoder.Decode(jpeg, "photo.jpg", new ImageDecodeOptions { ApplyExifOrientation = true }), 16);
            var stored = ImageResizer.ResizeAndCenterCrop(ImageDecoder.Decode(jpeg, "photo.jpg", new ImageDecodeOptions { ApplyExifOrientation = false }), 16);
            Assert.That(set[3].Rgb, Is.EqualTo(upright.Pixels), "the JPEG was turned upright by its EXIF orientation");
            Assert.That(set[3].Rgb, Is.Not.EqualTo(stored.Pixels));
            Assert.That(_server.FineTuneEntries().Where(e => e.Contains("partial", StringComparison.Ordinal)), Is.Empty);
            Assert.That(Directory.GetDirectories(Path.Combine(_server.DataDir, "finetunes", id.Value)).Select(Path.GetFileName),
                Is.EqualTo(new[] { "set" }));
        }
        finally
        {
            await _server.Server.Queue.AckAsync(claim);
        }
    }

    [Test]
    public async Task ZerosAndAbsentFieldsTakeTheDefaults()
    {
        var spec = Spec("defaults", s =>
        {
            s.BaseModel = "";
            s.Rank = 0;
            s.Alpha = 0;
            s.Steps = 0;
            s.LearningRate = 0;
            s.BatchSize = 0;
            s.Resolution = 0;
            s.TrainTextEncoder = false;
            s.Priority = Priority.Unspecified;
            s.ClearSeed();
        });
        var response = await _server.SubmitAsync(spec, Images(3));
        var claim = await _server.ClaimFineTuneAsync();
        try
        {
            var run = claim.Entry.FineTune!;
            Assert.That(claim.Entry.Priority, Is.EqualTo(JobPriority.Interactive));
            Assert.That(run, Is.EqualTo(new FineTuneJobSpec("defaults", TestServer.ModelName, 8, 8, 300, 1e-4, 1, Model.NativeSide, run.Seed, Trigger,
                false, response.FineTuneId, 3, CheckpointEvery: 30, PreviewEvery: 60)));
            Assert.That(claim.Entry.Jobs[0].Samples.Select(s => s.Seed), Is.EqualTo(new[] { unchecked((long)run.Seed), unchecked((long)(run.Seed + 1)) }),
                "preview seeds are the run's seed and the next");
            Assert.That(TrainingSetFolder.Load(_server.SetFolder(response.FineTuneId)).Select(e => e.Size), Is.All.EqualTo(Model.NativeSide));
        }
        finally
        {
            await _server.Server.Queue.AckAsync(claim);
        }
    }

    [Test]
    public void CheckpointAndPreviewIntervalsFollowTheRunLength()
    {
        Assert.That(new[] { 1L, 9, 10, 300, 500, 100_000 }.Select(FineTunesService.CheckpointEvery), Is.EqualTo(new[] { 1, 1, 1, 30, 50, 50 }));
        Assert.That(new[] { 1L, 4, 5, 300 }.Select(FineTunesService.PreviewEvery), Is.EqualTo(new[] { 0, 0, 1, 60 }));
    }

    [Test]
    public async Task ARepeatedIdempotencyKeyReturnsTheFirstFineTuneAndLeavesOneFolder()
    {
        var foldersBefore = Folders();
        int queuedBefore = (await _server.Server.Queue.QueueDepthAsync()).QueuedJobs;
        var spec = Spec("repeat", s => s.IdempotencyKey = "nightly-1");
        var first = await _server.SubmitAsync(spec, Images(3));
        var second = await _server.SubmitAsync(spec, Images(4));
        Assert.That(second.FineTuneId, Is.EqualTo(first.FineTuneId));
        Assert.That(Folders().Except(foldersBefore), Is.EqualTo(new[] { first.FineTuneId }), "one folder, the first submission's");
        Assert.That((await _server.Server.Queue.QueueDepthAsync()).QueuedJobs, Is.EqualTo(queuedBefore + 1));
        Assert.That(TrainingSetFolder.Load(_server.SetFolder(first.FineTuneId)), Has.Count.EqualTo(3), "the first submission's set is kept");

        var claim = await _server.ClaimFineTuneAsync();
        Assert.That(claim.Entry.Jobs[0].Id.Value, Is.EqualTo(first.FineTuneId));
        await _server.Server.Queue.AckAsync(claim);
    }

    private List<string> Folders()
    {
        string root = Path.Combine(_server.DataDir, "finetunes");
        return Directory.Exists(root) ? Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).ToList() : [];
    }
}
