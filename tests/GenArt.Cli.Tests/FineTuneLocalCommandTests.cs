using GenArt.Cli;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Imaging;

namespace GenArt.Cli.Tests;

/// <summary><c>genart finetune-local</c> end to end on the golden tiny pipeline: a few 32 px images, three steps.</summary>
public sealed class FineTuneLocalCommandTests
{
    private static string GoldenPipeline()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "golden", "pipeline");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/fixtures/golden/pipeline");
    }

    private static string ImageFolder(string root)
    {
        string images = Directory.CreateDirectory(Path.Combine(root, "images")).FullName;
        for (int i = 0; i < 3; i++)
        {
            var pixels = new byte[48 * 40 * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p * (i + 3) % 251);
            File.WriteAllBytes(Path.Combine(images, $"img{i}.png"), PngEncoder.Encode(new RasterImage(48, 40, PixelFormat.Rgb8, pixels)));
        }
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image: ignored");
        return images;
    }

    [Test]
    public void TrainsWritesALoadableAdapterAndPreviewPairs()
    {
        string root = Directory.CreateTempSubdirectory("genart-finetune-cli-").FullName;
        try
        {
            string images = ImageFolder(root);
            string captions = Path.Combine(root, "captions.jsonl");
            File.WriteAllLines(captions, ["{\"file\": \"img1.png\", \"caption\": \"a striped square\"}"]);
            string adapter = Path.Combine(root, "out", "brand.safetensors");
            int code = Program.Main([
                "finetune-local", "--model", GoldenPipeline(), "--images", images, "--captions", captions, "--out", adapter,
                "--trigger", "zqbrand", "--steps", "3", "--rank", "2", "--resolution", "32", "--threads", "1",
                "--checkpoints", Path.Combine(root, "ckpt"), "--previews", Path.Combine(root, "previews"), "--preview-seeds", "5,6",
            ]);
            Assert.That(code, Is.Zero);
            var info = FineTuneAdapterInfo.Read(adapter);
            Assert.That((info.TriggerWord, info.Rank, info.Steps, info.Resolution), Is.EqualTo(("zqbrand", 2, 3L, 32)));
            Assert.That(Directory.GetFiles(Path.Combine(root, "previews"), "*.png").Select(Path.GetFileName).Order(),
                Is.EqualTo(new[] { "seed-5-adapted.png", "seed-5-base.png", "seed-6-adapted.png", "seed-6-base.png" }));
            Assert.That(Directory.GetDirectories(Path.Combine(root, "ckpt")).Select(Path.GetFileName), Is.EqualTo(new[] { "step-00000003" }));
            Assert.That(File.Exists(adapter + ".partial"), Is.False);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void RefusedInputExitsWithCodeTwoAndWritesNothing()
    {
        string root = Directory.CreateTempSubdirectory("genart-finetune-cli-").FullName;
        try
        {
            string images = ImageFolder(root);
            string captions = Path.Combine(root, "captions.jsonl");
            File.WriteAllLines(captions, ["{\"file\": \"missing.png\", \"caption\": \"x\"}"]);
            string adapter = Path.Combine(root, "brand.safetensors");
            int code = Program.Main([
                "finetune-local", "--model", GoldenPipeline(), "--images", images, "--captions", captions, "--out", adapter,
                "--trigger", "zqbrand", "--steps", "3", "--resolution", "32", "--threads", "1",
            ]);
            Assert.That(code, Is.EqualTo(2));
            Assert.That(File.Exists(adapter), Is.False);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
