using GenArt.Diffusion.Pipelines;

namespace GenArt.Diffusion.Tests.Pipelines;

public class GenerationValidationTests
{
    private static readonly string[] Schedulers = ["ddim", "euler"];
    private static readonly SampleRequest Sample = new() { Prompt = "a red circle" };

    private static string Refused(GenerationSettings settings, SampleRequest? sample = null) =>
        Assert.Throws<GenerationValidationException>(() =>
            GenerationValidation.Validate(settings, [sample ?? Sample], 1024, Schedulers))!.Field;

    [Test]
    public void AcceptsAValidBatch() =>
        Assert.DoesNotThrow(() => GenerationValidation.Validate(new GenerationSettings { Scheduler = "ddim" }, [Sample, Sample], 1024, Schedulers));

    [TestCase(0, 512, "width")]
    [TestCase(500, 512, "width")]
    [TestCase(512, 1032, "height")]
    [TestCase(2048, 512, "width")]
    public void RefusesSizesThatAreNotMultiplesOf8OrTooLarge(int w, int h, string field) =>
        Assert.That(Refused(new GenerationSettings { Width = w, Height = h, Scheduler = "ddim" }), Is.EqualTo(field));

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(201)]
    public void RefusesStepsOutOfRange(int steps) =>
        Assert.That(Refused(new GenerationSettings { Steps = steps, Scheduler = "ddim" }), Is.EqualTo("steps"));

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    [TestCase(-0.5)]
    public void RefusesBadGuidance(double g) =>
        Assert.That(Refused(new GenerationSettings { Scheduler = "ddim" }, Sample with { GuidanceScale = g }), Is.EqualTo("samples[0].guidance_scale"));

    [Test]
    public void RefusesUnknownSchedulersListingTheKnownOnes()
    {
        var e = Assert.Throws<GenerationValidationException>(() =>
            GenerationValidation.Validate(new GenerationSettings { Scheduler = "heun" }, [Sample], 1024, Schedulers));
        Assert.That(e!.Field, Is.EqualTo("scheduler"));
        Assert.That(e.Message, Does.Contain("ddim, euler"));
    }

    [TestCase(0.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void RefusesStrengthOutsideTheUnitInterval(double strength)
    {
        var image = RgbImage.Create(512, 512, new byte[512 * 512 * 3]);
        var settings = new GenerationSettings { Mode = GenerationMode.ImageToImage, Strength = strength, Scheduler = "ddim" };
        Assert.That(Refused(settings, Sample with { InitImage = image }), Is.EqualTo("strength"));
    }

    [Test]
    public void RefusesInitImagesOfTheWrongSizeOrMode()
    {
        var settings = new GenerationSettings { Mode = GenerationMode.ImageToImage, Scheduler = "ddim" };
        Assert.That(Refused(settings), Is.EqualTo("samples[0].init_image"));
        var small = RgbImage.Create(256, 256, new byte[256 * 256 * 3]);
        var e = Assert.Throws<GenerationValidationException>(() => GenerationValidation.Validate(settings, [Sample with { InitImage = small }], 1024, Schedulers));
        Assert.That(e!.Message, Does.Contain("256x256").And.Contain("512x512"));
        Assert.That(Refused(new GenerationSettings { Scheduler = "ddim" }, Sample with { InitImage = small }), Is.EqualTo("samples[0].init_image"));
    }
}
