using GenArt.Cli;
using GenArt.Imaging;

namespace GenArt.Cli.Tests;

/// <summary>
/// <c>genart finetune submit</c> refuses a bad captions file before it contacts the server (nothing listens on the
/// address given, so reaching the server would fail differently), and the training progress bar's text.
/// </summary>
[NonParallelizable]
public sealed class FineTuneRemoteCommandTests
{
    private string _root = null!;
    private string _images = null!;

    [SetUp]
    public void CreateFolder()
    {
        _root = Directory.CreateTempSubdirectory("genart-finetune-remote-").FullName;
        _images = Directory.CreateDirectory(Path.Combine(_root, "images")).FullName;
        for (int i = 0; i < 3; i++)
            File.WriteAllBytes(Path.Combine(_images, $"img{i}.png"), PngEncoder.Encode(new RasterImage(4, 4, PixelFormat.Rgb8, new byte[48])));
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_root, recursive: true);

    private (int Code, string Error) Submit(params string[] extra)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            int code = Program.Main(["finetune", "submit", "--server", "127.0.0.1:1", "--api-key", "k", "--name", "acme-style", "--images", _images, .. extra]);
            return (code, error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }

    private string Captions(params string[] lines)
    {
        string path = Path.Combine(_root, "captions.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Test]
    public void ACaptionForAFileNotInTheFolderIsALocalError()
    {
        var (code, error) = Submit("--captions", Captions("{\"file\": \"img0.png\", \"caption\": \"a square\"}", "{\"file\": \"nope.png\", \"caption\": \"x\"}"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("captions").And.Contain("line 2").And.Contain("'nope.png'"));
    }

    [Test]
    public void ACaptionsLineThatIsNotTheExpectedJsonIsALocalError()
    {
        var (code, error) = Submit("--captions", Captions("{\"file\": \"img0.png\", \"caption\": \"a square\"}", "", "{\"file\": \"img1.png\", caption: }"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("captions").And.Contain("line 3").And.Contain("expected {\"file\""));

        (code, error) = Submit("--captions", Captions("{\"caption\": \"no file\"}"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("line 1"));
    }

    [Test]
    public void AMissingCaptionsFileOrImageFolderIsALocalError()
    {
        var (code, error) = Submit("--captions", Path.Combine(_root, "missing.jsonl"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("missing.jsonl: no such file"));

        Directory.Delete(_images, recursive: true);
        (code, error) = Submit();
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("images").And.Contain("no such folder"));
    }

    [Test]
    public void AnUnknownPriorityIsALocalError()
    {
        var (code, error) = Submit("--priority", "urgent");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("priority").And.Contain("'urgent'"));
    }

    [Test]
    public void ServeRefusesAFineTuneCapBelowOneMiB()
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.That(Program.Main(["serve", "--finetune-max-mb", "0", "--data", _root]), Is.EqualTo(2));
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.That(error.ToString(), Does.Contain("--finetune-max-mb must be at least 1, got 0"));
    }

    [Test]
    public void TheProgressBarShowsStepsLossAndEta()
    {
        Assert.That(TrainingProgressBar.Format(150, 300, 0.123456, TimeSpan.FromSeconds(65)),
            Is.EqualTo("[###############...............] 150/300 loss 0.1235 ETA 1:05"));
        Assert.That(TrainingProgressBar.Format(0, 300, 1, null), Is.EqualTo("[..............................] 0/300 loss 1.0000 ETA --"));
        Assert.That(TrainingProgressBar.Format(300, 300, 0.01, TimeSpan.FromHours(1.5)), Does.StartWith("[" + new string('#', 30) + "]").And.EndWith("ETA 1:30:00"));
    }

    [Test]
    public void RedirectedTheBarWritesALinePerTenthWithAnEtaFromThePaceSoFar()
    {
        var clock = new ManualClock();
        var output = new StringWriter();
        var bar = new TrainingProgressBar(output, interactive: false, clock);
        for (int step = 1; step <= 20; step++)
        {
            bar.Report(step, 20, 0.5);
            clock.Advance(TimeSpan.FromSeconds(2));
        }
        bar.Finish();
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(11), output.ToString());
        Assert.That(lines[0], Does.Contain(" 1/20 ").And.EndWith("ETA --"));
        // Step 2 arrives 2 s after step 1: 18 steps to go at 2 s each.
        Assert.That(lines[1], Does.Contain(" 2/20 ").And.EndWith("ETA 0:36"));
        Assert.That(lines[^1], Does.Contain(" 20/20 ").And.EndWith("ETA 0:00"));
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _ticks;
        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
