namespace GenArt.Procedural.Tests;

public class PaletteTests
{
    [Test]
    public void HasAtLeastTenColoursFarApart()
    {
        var colors = Palette.All;
        Assert.That(colors, Has.Count.GreaterThanOrEqualTo(10));
        double closest = double.MaxValue;
        foreach (var a in colors)
        {
            foreach (var b in colors)
            {
                if (a == b)
                    continue;
                var rb = Palette.RgbOf(b);
                closest = Math.Min(closest, Math.Sqrt(Rgb.DistanceSquared(rb.R, rb.G, rb.B, Palette.RgbOf(a))));
            }
        }
        TestContext.Out.WriteLine($"closest pair of named colours: {closest:F1} apart in RGB");
        Assert.That(closest, Is.GreaterThan(90));
    }

    [Test]
    public void EveryShadeIsNearestToItsOwnColour()
    {
        foreach (var c in Palette.All)
        {
            for (double t = -1; t <= 1.0001; t += 0.05)
            {
                var s = Palette.Shade(c, t);
                Assert.That(Palette.Nearest(s.R, s.G, s.B), Is.EqualTo(c), $"{c} shade {t:F2} = {s}");
            }
        }
    }

    [Test]
    public void ShadesAreVisiblyDifferentForMidColours()
    {
        var light = Palette.Shade(NamedColor.Blue, 1);
        var dark = Palette.Shade(NamedColor.Blue, -1);
        Assert.That(Math.Sqrt(Rgb.DistanceSquared(light.R, light.G, light.B, dark)), Is.GreaterThan(40));
    }
}
