using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Procedural;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training.FineTune;

/// <summary>
/// The acceptance harness on the golden tiny pipeline (random-weight test model, 32 px): what can honestly be
/// asserted there is that the base renders stay byte-identical, the adapter changes the renders and the
/// training loss falls. Whether renders move toward the brand is the harness's verdict on a trained model
/// (genart finetune-acceptance); here the measured distances are printed.
/// </summary>
public sealed class FineTuneAcceptanceTests
{
    [Test]
    public void BrandRunKeepsBaseRendersAndChangesAdaptedOnes()
    {
        torch.set_num_threads(1);
        using var model = FineTuneFixtures.LoadModel();
        var style = BrandStyle.TealGold;
        var images = Enumerable.Range(0, 6)
            .Select(i => new TrainingExample(BrandSet.Image(style, 7, i, FineTuneFixtures.Size).Pixels, FineTuneFixtures.Size, "zqbrand")).ToList();
        var spec = FineTuneFixtures.Spec(30) with { LearningRate = 1e-2, BatchSize = 3 };
        var render = new GenerationSettings { Width = 32, Height = 32, Steps = 4, Scheduler = "euler" };

        var report = FineTuneAcceptance.Run(model, images, spec, "zqbrand", [1, 2], render,
            image => BrandSet.PaletteDistance(image.Pixels, style.Colors));

        TestContext.Out.WriteLine($"palette distance base {report.BaseDistance:F1} adapted {report.AdaptedDistance:F1} ratio {report.Ratio:F3}; " +
            $"loss first 5 {report.Losses.Take(5).Average():F4} last 5 {report.Losses.TakeLast(5).Average():F4}");
        Assert.Multiple(() =>
        {
            Assert.That(report.BaseUnchanged, "renders without the adapter must equal the base model's before training");
            Assert.That(report.Losses, Has.Count.EqualTo(30));
            Assert.That(report.Losses.TakeLast(5).Average(), Is.LessThan(report.Losses.Take(5).Average()));
            Assert.That(report.AdaptedDistance, Is.Not.EqualTo(report.BaseDistance), "the adapter must change the renders");
            Assert.That(report.Previews.Select(p => FineTuneFixtures.MeanAbsDiff(p.Base.Pixels, p.Adapted.Pixels)), Is.All.GreaterThan(1.0));
        });
    }

    [Test]
    public void PaletteDistanceIsZeroOnTheBrandAndGrowsAwayFromIt()
    {
        var style = BrandStyle.TealGold;
        var brand = BrandSet.Image(style, 1, 0, 64);
        var other = Dataset.Sample(Dataset.TrainingSeed(0), 64).Image;
        double onBrand = BrandSet.PaletteDistance(brand.Pixels, style.Colors);
        double offBrand = BrandSet.PaletteDistance(other.Pixels, style.Colors);
        Assert.That(onBrand, Is.LessThan(5), "only anti-aliased edges lie between the two colours");
        Assert.That(offBrand, Is.GreaterThan(40));
        Assert.That(BrandSet.Image(style, 1, 0, 64).Pixels, Is.EqualTo(brand.Pixels), "deterministic");
        Assert.That(BrandSet.Image(style, 1, 1, 64).Pixels, Is.Not.EqualTo(brand.Pixels));
    }
}
