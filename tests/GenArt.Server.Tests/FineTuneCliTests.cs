using GenArt.Cli;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Jobs;
using static GenArt.Server.Tests.FineTuneTestKit;

namespace GenArt.Server.Tests;

/// <summary>
/// <c>genart finetune submit</c>, <c>watch</c> and <c>cancel</c> against a <see cref="TestServer"/>, with the test
/// acting as the worker that trains the submitted set.
/// </summary>
[NonParallelizable]
public sealed class FineTuneCliTests
{
    private TestServer _server = null!;
    private string _root = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync();
        _root = Directory.CreateTempSubdirectory("genart-finetune-cli-").FullName;
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private (int Code, string Output) Genart(params string[] args)
    {
        var output = new StringWriter();
        var saved = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            int code = Program.Main([.. args, "--server", $"127.0.0.1:{_server.Server.Host.GrpcPort}", "--api-key", _server.Key]);
            return (code, output.ToString());
        }
        finally
        {
            Console.SetOut(saved.Out);
            Console.SetError(saved.Error);
        }
    }

    [Test]
    public async Task SubmitThenWatchShowsProgressAndWritesThePreviewPairs()
    {
        string images = Directory.CreateDirectory(Path.Combine(_root, "images")).FullName;
        for (int i = 0; i < 3; i++) File.WriteAllBytes(Path.Combine(images, $"img{i}.png"), Png(i, 10, 12));
        string captions = Path.Combine(_root, "captions.jsonl");
        File.WriteAllLines(captions, ["{\"file\": \"img1.png\", \"caption\": \"a striped tile\"}"]);

        var (code, output) = Genart("finetune", "submit", "--name", "cli-style", "--images", images, "--captions", captions, "--trigger", "zqcli",
            "--steps", "10", "--resolution", "16", "--seed", "9", "--priority", "batch");
        Assert.That(code, Is.Zero, output);
        var id = output.Split([' ', '\n', ':'], StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "fine-tune").Skip(1).First();
        Assert.That(output, Does.Contain($"fine-tune {id} queued: 3 images"));

        var claim = await _server.ClaimFineTuneAsync();
        var run = claim.Entry.FineTune!;
        Assert.That((run.AdapterName, run.TriggerWord, run.Steps, run.Resolution, run.Seed, claim.Entry.Priority),
            Is.EqualTo(("cli-style", "zqcli", 10, 16, 9UL, JobPriority.Batch)));
        Assert.That(TrainingSetFolder.Load(_server.SetFolder(id)).Select(e => e.Caption), Is.EqualTo(new[] { "zqcli", "zqcli a striped tile", "zqcli" }));

        var jobId = JobId.Parse(id);
        var queue = _server.Server.Queue;
        for (int step = 1; step <= 10; step++)
            await queue.PublishAsync(jobId, new TrainingStep(step, 10, 1.0 / step, step == 5 ? Png(5) : null));
        await queue.PublishAsync(jobId, new TrainingResult("cli-style", new string('b', 64), 0.1,
            [new TrainingPreview(9, "zqcli", Png(1), Png(2)), new TrainingPreview(10, "zqcli a striped tile", Png(3), Png(4))]));
        await queue.PublishAsync(jobId, new JobCompleted());
        await queue.AckAsync(claim);

        string previews = Path.Combine(_root, "previews");
        (code, output) = Genart("finetune", "watch", id, "--previews", previews);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("10/10 loss 0.1000"));
        Assert.That(output, Does.Contain($"adapter cli-style ready: final loss 0.1000, sha256 {new string('b', 64)}"));
        Assert.That(Directory.GetFiles(previews).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Is.EqualTo(new[] { "seed-10-adapted.png", "seed-10-base.png", "seed-9-adapted.png", "seed-9-base.png", "step-000005.png" }));
        Assert.That(File.ReadAllBytes(Path.Combine(previews, "seed-9-adapted.png")), Is.EqualTo(Png(2)));
    }

    [Test]
    public async Task CancelStopsAFineTuneAndWatchReportsIt()
    {
        string id = (await _server.SubmitAsync(Spec("cli-cancel"), Images(3))).FineTuneId;
        var (code, output) = Genart("finetune", "cancel", id);
        Assert.That((code, output.Trim()), Is.EqualTo((0, $"cancelled {id}")));
        (code, output) = Genart("finetune", "watch", id);
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("was cancelled"));
        (code, output) = Genart("finetune", "cancel", JobId.New().Value);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("not found"));
    }
}
