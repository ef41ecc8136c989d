using System.Diagnostics;
using GenArt.Imaging;

namespace GenArt.Procedural.Tests;

public class AdherenceScorerTests
{
    private const int HeldOutImages = 300;

    [Test]
    public void CleanHeldOutImagesScoreHigh()
    {
        var report = ScoreHeldOut(HeldOutImages, image => image, out var elapsed);
        TestContext.Out.WriteLine($"clean: {report} ({elapsed.TotalMilliseconds:F0} ms)");
        AssertTargets(report);
        Assert.That(report.ShapeAccuracy, Is.GreaterThanOrEqualTo(0.97));
    }

    [Test]
    public void MildlyBlurredNoisyHeldOutImagesScoreHigh()
    {
        var report = ScoreHeldOut(HeldOutImages, image => TestScenes.MildlyDegraded(image, 99), out _);
        TestContext.Out.WriteLine($"3x3 blur + noise 8: {report}");
        AssertTargets(report);
    }

    [Test]
    public void ColourCastHeldOutImagesScoreHigh()
    {
        ulong n = 0;
        var report = ScoreHeldOut(HeldOutImages / 2, image => TestScenes.ColourCast(image, n++), out _);
        TestContext.Out.WriteLine($"colour cast ±15 + 3x3 blur + noise 8: {report}");
        AssertTargets(report);
    }

    [Test]
    public void StronglyBlurredNoisyHeldOutImagesStillScoreHigh()
    {
        var report = ScoreHeldOut(HeldOutImages / 2, image => TestScenes.StronglyDegraded(image, 7), out _);
        TestContext.Out.WriteLine($"5x5 blur + noise 10: {report}");
        Assert.That(report.BackgroundAccuracy, Is.GreaterThanOrEqualTo(0.98));
        Assert.That(report.ForegroundAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(report.CountAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(report.ShapeAccuracy, Is.GreaterThanOrEqualTo(0.95));
    }

    [Test]
    public void WrongAttributesScoreFalse()
    {
        var scene = new Scene(NamedColor.Blue, BackgroundStyle.Plain, NamedColor.Red, ShapeKind.Triangle, 2, Layout.Row, FillStyle.Flat);
        var image = SceneRenderer.Render(scene, 4);
        var right = AdherenceScorer.Score(image, scene);
        Assert.That(right.All, Is.True, right.Observed.ToString());

        var wrong = AdherenceScorer.Score(image, new Scene(NamedColor.Green, BackgroundStyle.Plain, NamedColor.Yellow, ShapeKind.Star, 3, Layout.Column, FillStyle.Flat));
        Assert.That((wrong.Background, wrong.Foreground, wrong.Shape, wrong.Count, wrong.Layout, wrong.All), Is.EqualTo((false, false, false, false, false, false)));
    }

    [Test]
    public void EveryShapeIsToldApartFromEveryOther()
    {
        // Each shape alone and in a row of three (about 20 pixels across), clean and mildly degraded.
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            int degradedCorrect = 0, degradedTotal = 0;
            foreach (var (layout, count) in new[] { (Layout.Center, 1), (Layout.Row, 3) })
            {
                var scene = new Scene(NamedColor.White, BackgroundStyle.Plain, NamedColor.Purple, shape, count, layout, FillStyle.Flat);
                for (ulong seed = 0; seed < 5; seed++)
                {
                    var image = SceneRenderer.Render(scene, seed);
                    Assert.That(AdherenceScorer.Analyze(image).DominantShape, Is.EqualTo(shape), $"{shape} {layout} seed {seed}");
                    degradedTotal++;
                    if (AdherenceScorer.Analyze(TestScenes.MildlyDegraded(image, seed)).DominantShape == shape)
                        degradedCorrect++;
                }
            }
            Assert.That(degradedCorrect, Is.GreaterThanOrEqualTo(degradedTotal * 8 / 10), $"{shape}, degraded");
        }
    }

    [Test]
    public void ThinBlurredBarsKeepTheirColour()
    {
        // Blurred white bars on red have pink edges as wide as their white cores; the edges still count as white.
        var scene = new Scene(NamedColor.Red, BackgroundStyle.Plain, NamedColor.White, ShapeKind.Stripes, 4, Layout.Row, FillStyle.Flat);
        for (ulong seed = 0; seed < 6; seed++)
        {
            var image = TestScenes.MildlyDegraded(SceneRenderer.Render(scene, seed), seed);
            Assert.That(AdherenceScorer.Analyze(image).Foreground, Is.EqualTo(NamedColor.White), $"seed {seed}");
        }
    }

    [Test]
    public void BlankImageHasNoForegroundAndNoObjects()
    {
        var image = RasterImage.Create(64, 64, PixelFormat.Rgb8);
        var analysis = AdherenceScorer.Analyze(image);
        Assert.That(analysis.Background, Is.EqualTo(NamedColor.Black));
        Assert.That(analysis.Foreground, Is.Null);
        Assert.That(analysis.Count, Is.Zero);
        Assert.That(analysis.DominantShape, Is.Null);
    }

    [Test]
    public void ReadsRgbaAndGrayImagesAsRgb()
    {
        var scene = new Scene(NamedColor.White, BackgroundStyle.Plain, NamedColor.Black, ShapeKind.Star, 2, Layout.Column, FillStyle.Flat);
        var rgb = SceneRenderer.Render(scene, 9);
        var rgba = new byte[rgb.Width * rgb.Height * 4];
        var gray = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < gray.Length; i++)
        {
            for (int k = 0; k < 3; k++)
                rgba[4 * i + k] = rgb.Pixels[3 * i + k];
            rgba[4 * i + 3] = 255;
            gray[i] = rgb.Pixels[3 * i];
        }
        Assert.That(AdherenceScorer.Score(new RasterImage(rgb.Width, rgb.Height, PixelFormat.Rgba8, rgba), scene).All, Is.True);
        Assert.That(AdherenceScorer.Score(new RasterImage(rgb.Width, rgb.Height, PixelFormat.Gray8, gray), scene).All, Is.True);
    }

    [Test]
    public void ReportCountsEachAttribute()
    {
        var report = new AdherenceReport();
        var scene = new Scene(NamedColor.Blue, BackgroundStyle.Plain, NamedColor.Red, ShapeKind.Circle, 1, Layout.Center, FillStyle.Flat);
        var image = SceneRenderer.Render(scene, 1);
        report.Add(AdherenceScorer.Score(image, scene));
        report.Add(AdherenceScorer.Score(image, scene with { Shape = ShapeKind.Square }));
        Assert.That((report.Total, report.BackgroundCorrect, report.ShapeCorrect, report.AllCorrect), Is.EqualTo((2, 2, 1, 1)));
        Assert.That(report.ShapeAccuracy, Is.EqualTo(0.5));
        Assert.That(report.ShapeConfusion(ShapeKind.Square, ShapeKind.Circle), Is.EqualTo(1));
        Assert.That(report.ToString(), Does.StartWith("n=2 background 100.0% foreground 100.0% shape 50.0%"));
        Assert.That(report.ShapeBreakdown(), Is.EqualTo(new[] { "square      0/1    as circle 1", "circle      1/1" }));
    }

    private static void AssertTargets(AdherenceReport report)
    {
        Assert.That(report.BackgroundAccuracy, Is.GreaterThanOrEqualTo(0.98));
        Assert.That(report.ForegroundAccuracy, Is.GreaterThanOrEqualTo(0.95));
        Assert.That(report.ShapeAccuracy, Is.GreaterThanOrEqualTo(0.90));
        Assert.That(report.CountAccuracy, Is.GreaterThanOrEqualTo(0.90));
    }

    private static AdherenceReport ScoreHeldOut(int images, Func<RasterImage, RasterImage> degrade, out TimeSpan elapsed)
    {
        var report = new AdherenceReport();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < images; i++)
        {
            var sample = Dataset.Sample(Dataset.HeldOutSeed(i));
            // The scorer reads the expected scene from the caption, as the eval command does.
            if (!Scene.TryParse(sample.Caption, out var expected))
                Assert.Fail($"caption does not parse: {sample.Caption}");
            report.Add(AdherenceScorer.Score(degrade(sample.Image), expected!));
        }
        elapsed = clock.Elapsed;
        return report;
    }
}
