using GenArt.Imaging;

namespace GenArt.Procedural.Tests;

public class SceneRendererTests
{
    private static readonly Scene RedCircle = new(NamedColor.Blue, BackgroundStyle.Plain, NamedColor.Red, ShapeKind.Circle, 1, Layout.Center, FillStyle.Flat);

    [Test]
    public void SameSeedGivesIdenticalBytes()
    {
        for (ulong seed = 0; seed < 20; seed++)
        {
            var a = Dataset.Sample(seed);
            var b = Dataset.Sample(seed);
            Assert.That(a.Image.Pixels, Is.EqualTo(b.Image.Pixels));
            Assert.That(a.Caption, Is.EqualTo(b.Caption));
            Assert.That(a.Scene, Is.EqualTo(b.Scene));
        }
    }

    [Test]
    public void DifferentSeedsGiveDifferentImagesOfOneScene()
    {
        var images = Enumerable.Range(0, 20).Select(s => SceneRenderer.Render(RedCircle, (ulong)s)).ToList();
        for (int i = 0; i < images.Count; i++)
        {
            for (int j = i + 1; j < images.Count; j++)
                Assert.That(images[i].Pixels, Is.Not.EqualTo(images[j].Pixels), $"seeds {i} and {j}");
        }
    }

    [Test]
    public void RendersRgb8OfTheRequestedSize()
    {
        var image = SceneRenderer.Render(RedCircle, 1, 96, 64);
        Assert.That((image.Width, image.Height, image.Format), Is.EqualTo((96, 64, PixelFormat.Rgb8)));
        var defaultSize = SceneRenderer.Render(RedCircle, 1);
        Assert.That((defaultSize.Width, defaultSize.Height), Is.EqualTo((128, 128)));
    }

    [Test]
    public void EdgesAreAntiAliased()
    {
        // Analytic coverage leaves blended pixels along the circle's edge, neither pure red nor pure blue.
        var image = SceneRenderer.Render(RedCircle, 3);
        var red = Palette.RgbOf(NamedColor.Red);
        var blue = Palette.RgbOf(NamedColor.Blue);
        int blended = 0;
        for (int i = 0; i < image.Pixels.Length; i += 3)
        {
            var p = new Rgb(image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
            if (p != red && p != blue)
                blended++;
        }
        Assert.That(blended, Is.InRange(60, 1500));
    }

    [TestCaseSource(typeof(TestScenes), nameof(TestScenes.ShapeStyleGrid))]
    public void EveryShapeAndStyleStaysInsideTheFrameWithTheExpectedCount(Scene scene)
    {
        for (ulong seed = 0; seed < 8; seed++)
        {
            var image = SceneRenderer.Render(scene, seed);
            AssertBorderIsBackground(image, scene.Background);
            var analysis = AdherenceScorer.Analyze(image, scene.Style);
            Assert.That(analysis.Count, Is.EqualTo(scene.Count), $"seed {seed}");
            Assert.That(analysis.Foreground, Is.EqualTo(scene.Foreground), $"seed {seed}");
            Assert.That(AdherenceScorer.MatchesLayout(analysis, scene.Layout), Is.True, $"seed {seed}: {string.Join(", ", analysis.Objects)}");
        }
    }

    [Test]
    public void EveryLayoutAndCountRenders()
    {
        foreach (var layout in Enum.GetValues<Layout>())
        {
            foreach (int count in Scene.CountsFor(layout))
            {
                var scene = new Scene(NamedColor.White, BackgroundStyle.Gradient, NamedColor.Green, ShapeKind.Square, count, layout, FillStyle.Shadowed);
                for (ulong seed = 0; seed < 10; seed++)
                {
                    var image = SceneRenderer.Render(scene, seed);
                    AssertBorderIsBackground(image, NamedColor.White);
                    var analysis = AdherenceScorer.Analyze(image, scene.Style);
                    Assert.That(analysis.Count, Is.EqualTo(count), $"{layout} x{count} seed {seed}");
                    Assert.That(AdherenceScorer.MatchesLayout(analysis, layout), Is.True, $"{layout} x{count} seed {seed}");
                }
            }
        }
    }

    [Test]
    public void BackgroundVariantsKeepTheirNamedColourEverywhere()
    {
        foreach (var bg in Palette.All)
        {
            foreach (var style in Enum.GetValues<BackgroundStyle>())
            {
                var fg = bg == NamedColor.Red ? NamedColor.Blue : NamedColor.Red;
                var scene = new Scene(bg, style, fg, ShapeKind.Square, 1, Layout.Left, FillStyle.Shadowed);
                var image = SceneRenderer.Render(scene, 11);
                // The right half holds only background and, for shadowed style, the shadow.
                for (int y = 0; y < image.Height; y++)
                {
                    for (int x = image.Width / 2 + 4; x < image.Width; x++)
                    {
                        var p = image.GetPixel(x, y);
                        Assert.That(Palette.Nearest(p[0], p[1], p[2]), Is.EqualTo(bg), $"{bg} {style} at ({x}, {y})");
                    }
                }
            }
        }
    }

    [Test]
    public void RejectsInvalidScenes()
    {
        Assert.Throws<ArgumentException>(() => SceneRenderer.Render(RedCircle with { Foreground = NamedColor.Blue }, 0));
        Assert.Throws<ArgumentException>(() => SceneRenderer.Render(RedCircle with { Count = 3 }, 0));
        Assert.Throws<ArgumentException>(() => SceneRenderer.Render(RedCircle with { Shape = ShapeKind.Ring, Style = FillStyle.Outline }, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SceneRenderer.Render(RedCircle, 0, 8, 8));
    }

    private static void AssertBorderIsBackground(RasterImage image, NamedColor background)
    {
        // Two pixels wide: nothing may touch or cross the frame.
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (x >= 2 && y >= 2 && x < image.Width - 2 && y < image.Height - 2)
                    continue;
                var p = image.GetPixel(x, y);
                Assert.That(Palette.Nearest(p[0], p[1], p[2]), Is.EqualTo(background), $"border pixel ({x}, {y})");
            }
        }
    }
}
