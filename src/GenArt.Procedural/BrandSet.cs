using GenArt.Imaging;

namespace GenArt.Procedural;

/// <summary>A brand's look for the fine-tune acceptance run: a motif drawn in two colours outside the generator's palette.</summary>
/// <param name="Background">The ground colour.</param>
/// <param name="Foreground">The motif's colour.</param>
/// <param name="Motif">The shape every image repeats.</param>
public sealed record BrandStyle(Rgb Background, Rgb Foreground, ShapeKind Motif)
{
    /// <summary>Gold hexagons on deep teal: neither colour is one of <see cref="Palette"/>'s twelve (the nearest,
    /// orange/yellow and green/black, are 50-100 apart), so the base model has never drawn them.</summary>
    public static BrandStyle TealGold { get; } = new(new Rgb(16, 90, 96), new Rgb(240, 176, 32), ShapeKind.Hexagon);

    /// <summary>The brand's colours, for <see cref="BrandSet"/>'s palette distance.</summary>
    public IReadOnlyList<Rgb> Colors => [Background, Foreground];
}

/// <summary>"Brand" images for fine-tune acceptance: generator scenes of the brand's motif (any layout and count,
/// flat style), drawn white on black and then mapped onto the brand's two colours through each pixel's coverage,
/// so edges keep their anti-aliasing.</summary>
public static class BrandSet
{
    /// <summary>Image <paramref name="index"/> of the set drawn from <paramref name="seed"/>.</summary>
    public static RasterImage Image(BrandStyle style, ulong seed, int index, int size = SceneRenderer.DefaultSize)
    {
        var rng = new SplitMix64(seed ^ (0xB7A4D000UL + (ulong)index) * 0x9E3779B97F4A7C15UL);
        var layout = (Layout)rng.NextInt(Enum.GetValues<Layout>().Length);
        var counts = Scene.CountsFor(layout);
        var scene = new Scene(NamedColor.Black, BackgroundStyle.Plain, NamedColor.White, style.Motif, counts[rng.NextInt(counts.Count)], layout, FillStyle.Flat);
        var mask = SceneRenderer.Render(scene, rng.NextUInt64(), size, size);
        var black = Palette.RgbOf(NamedColor.Black);
        var white = Palette.RgbOf(NamedColor.White);
        var pixels = new byte[size * size * 3];
        for (int i = 0; i < size * size; i++)
        {
            double t = Math.Clamp((mask.Pixels[3 * i] - black.R) / (double)(white.R - black.R), 0, 1);
            pixels[3 * i] = Mix(style.Background.R, style.Foreground.R, t);
            pixels[3 * i + 1] = Mix(style.Background.G, style.Foreground.G, t);
            pixels[3 * i + 2] = Mix(style.Background.B, style.Foreground.B, t);
        }
        return new RasterImage(size, size, PixelFormat.Rgb8, pixels);
    }

    /// <summary>Mean over pixels of the RGB (Euclidean, 0-441) distance to the nearest of <paramref name="colors"/>:
    /// 0 for an image drawn only in them. Works on RGB8 pixels laid out as <see cref="RasterImage"/>'s.</summary>
    public static double PaletteDistance(ReadOnlySpan<byte> rgb, IReadOnlyList<Rgb> colors)
    {
        if (rgb.Length == 0 || rgb.Length % 3 != 0) throw new ArgumentException("expected interleaved RGB8 pixels", nameof(rgb));
        double total = 0;
        for (int i = 0; i < rgb.Length; i += 3)
        {
            double best = double.MaxValue;
            foreach (var c in colors)
            {
                double dr = rgb[i] - c.R, dg = rgb[i + 1] - c.G, db = rgb[i + 2] - c.B;
                best = Math.Min(best, dr * dr + dg * dg + db * db);
            }
            total += Math.Sqrt(best);
        }
        return total / (rgb.Length / 3);
    }

    private static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t);
}
