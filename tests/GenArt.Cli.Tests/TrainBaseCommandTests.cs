using GenArt.Cli;
using GenArt.Diffusion.Tests;

namespace GenArt.Cli.Tests;

/// <summary><c>genart train-base</c> refuses bad training options by name, with exit code 2, before it writes anything.</summary>
[NonParallelizable]
public sealed class TrainBaseCommandTests
{
    private string _root = null!;

    [SetUp]
    public void CreateFolder() => _root = Directory.CreateTempSubdirectory("genart-train-base-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_root, recursive: true);

    private static string Configs => Path.Combine(RepoPaths.Root, "models", "genart-tiny");

    [TestCase("--unet-average", "1", "--unet-average must be 0 (none) or lie strictly between 0 and 1")]
    [TestCase("--unet-average", "-0.5", "--unet-average must be 0 (none) or lie strictly between 0 and 1")]
    [TestCase("--vae-decoder-crop", "60", "--vae-decoder-crop must be 0 or a multiple of 8")]
    [TestCase("--vae-decoder-crop", "256", "--vae-decoder-crop must be 0 or a multiple of 8")]
    [TestCase("--vae-crop", "12", "--vae-crop must be 0 or a multiple of 8")]
    [TestCase("--noise-offset", "2", "--noise-offset must lie in [0, 1]")]
    public void ABadOptionExitsWithCodeTwoNamingItAndWritesNothing(string option, string value, string message)
    {
        string checkpoints = Path.Combine(_root, "checkpoints"), output = Path.Combine(_root, "out");
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            code = Program.Main(["train-base", "--configs", Configs, "--checkpoints", checkpoints, "--out", output, "--threads", "1", option, value]);
        }
        finally
        {
            Console.SetError(saved);
        }
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain(message));
        Assert.That(Directory.Exists(checkpoints) || Directory.Exists(output), Is.False);
    }
}
