using GenArt.Cli;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Tests;
using GenArt.Imaging;
using GenArt.Worker;

namespace GenArt.Cli.Tests;

/// <summary><c>genart generate</c> in this process: settings left out come from the model's generation_config.json.</summary>
[NonParallelizable]
public sealed class GenerateCommandTests
{
    private string _root = null!;
    private string _model = null!;

    [SetUp]
    public void LinkTheGoldenModel()
    {
        _root = Directory.CreateTempSubdirectory("genart-generate-").FullName;
        _model = Directory.CreateDirectory(Path.Combine(_root, "tuned")).FullName;
        RepoPaths.LinkEntries(Path.Combine(RepoPaths.Fixtures, "golden", "pipeline"), _model);
        File.WriteAllText(Path.Combine(_model, GenerationDefaults.FileName), """{"scheduler": "ddim", "num_inference_steps": 2, "guidance_scale": 3.5}""");
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_root, recursive: true);

    private GenerationRecord Generate(params string[] extra)
    {
        string output = Path.Combine(_root, "out.png");
        int code = Program.Main(["generate", "a red circle", "--model", _model, "--size", "64x64", "--seed", "5", "--threads", "1", "-o", output, .. extra]);
        Assert.That(code, Is.Zero);
        var text = PngTextReader.ReadFile(output).Single(t => t.Keyword == PngTextEntry.GenArtKeyword).Text;
        return ImageOutput.FromJson(text)!;
    }

    [Test]
    public void SettingsLeftOutAreTheModelsOwnDefaults()
    {
        var record = Generate();
        Assert.That((record.Scheduler, record.Steps, record.GuidanceScale), Is.EqualTo(("ddim", 2, 3.5)));
    }

    [Test]
    public void SettingsGivenOverrideTheModelsDefaults()
    {
        var record = Generate("--scheduler", "euler", "--steps", "3", "--guidance", "6");
        Assert.That((record.Scheduler, record.Steps, record.GuidanceScale), Is.EqualTo(("euler", 3, 6.0)));
    }
}
