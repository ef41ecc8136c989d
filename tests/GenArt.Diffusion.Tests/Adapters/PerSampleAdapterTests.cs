using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tests.Models;

namespace GenArt.Diffusion.Tests.Adapters;

/// <summary>
/// The acceptance rule for per-sample adapters: in one batch of samples with different adapters (and none), each
/// sample gets exactly the pixels it gets alone, and the adapters really change the images.
/// </summary>
[TestFixture]
public sealed class PerSampleAdapterTests
{
    private StableDiffusionModel model = null!;
    private LoraCache cache = null!;
    private string temp = null!;
    private LoraLease a = null!;
    private LoraLease b = null!;

    private static readonly GenerationSettings Settings = new() { Width = 64, Height = 64, Steps = 4, Scheduler = "euler-a" };

    [OneTimeSetUp]
    public void Setup()
    {
        model = StableDiffusionModel.Load(ModelFixtures.Golden("pipeline"));
        temp = LoraFiles.TempFolder();
        var shapes = BaseModelShapes.FromModelFolder(ModelFixtures.Golden("pipeline"));
        // two layouts and two ranks, so the batch holds two rank groups
        string fileA = RandomLora.Write(Path.Combine(temp, "a.safetensors"), shapes, seed: 11, rank: 4, alpha: 4, format: LoraFormat.Kohya);
        string fileB = RandomLora.Write(Path.Combine(temp, "b.safetensors"), shapes, seed: 12, rank: 8, alpha: 4, format: LoraFormat.Diffusers);
        cache = new LoraCache(1L << 30);
        a = cache.Acquire(model, "a", fileA);
        b = cache.Acquire(model, "b", fileB);
    }

    [OneTimeTearDown]
    public void Release()
    {
        a.Dispose();
        b.Dispose();
        cache.Dispose();
        model.Dispose();
        Directory.Delete(temp, true);
    }

    private static SampleRequest Sample(params LoraUse[] adapters) => new()
    {
        Prompt = "a red circle on a blue background", NegativePrompt = "blurry", Seed = 1234, GuidanceScale = 6, Adapters = adapters,
    };

    private byte[] Alone(SampleRequest sample) => new StableDiffusionPipeline(model).Generate(Settings, [sample])[0].Image!.Pixels;

    [Test]
    public void EachSampleOfAMixedBatchGetsExactlyItsImageAlone()
    {
        SampleRequest[] batch =
        [
            Sample(new LoraUse(a.Adapter, 1.0)),
            Sample(new LoraUse(b.Adapter, 1.0)),
            Sample(),
            Sample(new LoraUse(a.Adapter, 0.5)),
        ];
        var together = new StableDiffusionPipeline(model).Generate(Settings, batch);
        for (int i = 0; i < batch.Length; i++)
            Assert.That(together[i].Image!.Pixels, Is.EqualTo(Alone(batch[i])), $"sample {i} differs from its run alone");

        // the same prompt and seed everywhere: only the adapters tell the images apart, and they must
        var pixels = together.Select(r => r.Image!.Pixels).ToArray();
        Assert.That(MeanAbsDiff(pixels[0], pixels[2]), Is.GreaterThan(2.0), "adapter A must change the image");
        Assert.That(MeanAbsDiff(pixels[1], pixels[2]), Is.GreaterThan(2.0), "adapter B must change the image");
        Assert.That(MeanAbsDiff(pixels[3], pixels[2]), Is.GreaterThan(1.0), "A at 0.5 must change the image");
        Assert.That(MeanAbsDiff(pixels[3], pixels[0]), Is.GreaterThan(1.0), "the scale must matter");
        Assert.That(MeanAbsDiff(pixels[0], pixels[1]), Is.GreaterThan(2.0), "A and B must differ");
    }

    [Test]
    public void StackedAdaptersAndReorderedBatchesGiveTheSamePixels()
    {
        var both = Sample(new LoraUse(b.Adapter, 0.7), new LoraUse(a.Adapter, -0.3));
        var expected = Alone(both);
        var together = new StableDiffusionPipeline(model).Generate(Settings, [Sample(new LoraUse(a.Adapter, 1.0)), both, Sample(), both with { Seed = 99 }]);
        Assert.That(together[1].Image!.Pixels, Is.EqualTo(expected));
        Assert.That(together[3].Image!.Pixels, Is.Not.EqualTo(expected), "another seed gives another image");
        Assert.That(MeanAbsDiff(expected, Alone(Sample(new LoraUse(b.Adapter, 0.7)))), Is.GreaterThan(0.5), "the second adapter must count");
    }

    [Test]
    public void BadScalesAndUnloadedAdaptersFailValidationNamingTheField()
    {
        var pipeline = new StableDiffusionPipeline(model);
        var e = Assert.Throws<GenerationValidationException>(() => pipeline.Generate(Settings, [Sample(), Sample(new LoraUse(a.Adapter, double.NaN))]));
        Assert.That(e!.Field, Is.EqualTo("samples[1].adapters[0].scale"));
        var gone = LoraAdapterFile.Load(Path.Combine(temp, "a.safetensors"), BaseModelShapes.FromModels(model.Unet, model.TextEncoder));
        gone.Dispose();
        var e2 = Assert.Throws<GenerationValidationException>(() => pipeline.Generate(Settings, [Sample(new LoraUse(gone, 1))]));
        Assert.That(e2!.Field, Is.EqualTo("samples[0].adapters[0]"));
    }

    private static double MeanAbsDiff(byte[] x, byte[] y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Average();
}
