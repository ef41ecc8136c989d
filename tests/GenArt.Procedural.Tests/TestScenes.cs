using GenArt.Imaging;

namespace GenArt.Procedural.Tests;

internal static class TestScenes
{
    /// <summary>Every shape in every style it allows, with a count and layout that vary across the set.</summary>
    public static IEnumerable<Scene> ShapeStyleGrid()
    {
        var layouts = Enum.GetValues<Layout>();
        int i = 0;
        foreach (var shape in Enum.GetValues<ShapeKind>())
        {
            foreach (var style in Enum.GetValues<FillStyle>())
            {
                if (!Scene.Allows(shape, style))
                    continue;
                var layout = layouts[i % layouts.Length];
                var counts = Scene.CountsFor(layout);
                var bg = (NamedColor)(i % 12);
                var fg = (NamedColor)((i * 5 + 3) % 12);
                if (fg == bg)
                    fg = (NamedColor)(((int)fg + 1) % 12);
                yield return new Scene(bg, (BackgroundStyle)(i % 3), fg, shape, counts[i % counts.Count], layout, style);
                i++;
            }
        }
    }

    /// <summary>The generator's image as a small model might render it: a 3x3 box blur and noise of sigma 8.</summary>
    public static RasterImage MildlyDegraded(RasterImage image, ulong seed) =>
        ImageDegradation.AddNoise(ImageDegradation.BoxBlur(image, 1), 8, seed);

    /// <summary>A colour cast of up to ±15 per channel (one per image) over the mild degradation: a model that
    /// renders "red" a little off.</summary>
    public static RasterImage ColourCast(RasterImage image, ulong seed)
    {
        var rng = new SplitMix64(seed);
        int dr = rng.NextInt(31) - 15, dg = rng.NextInt(31) - 15, db = rng.NextInt(31) - 15;
        var px = MildlyDegraded(image, seed).Pixels;
        for (int i = 0; i < px.Length; i += 3)
        {
            px[i] = (byte)Math.Clamp(px[i] + dr, 0, 255);
            px[i + 1] = (byte)Math.Clamp(px[i + 1] + dg, 0, 255);
            px[i + 2] = (byte)Math.Clamp(px[i + 2] + db, 0, 255);
        }
        return new RasterImage(image.Width, image.Height, image.Format, px);
    }

    /// <summary>A harsher stress level: a 5x5 box blur and noise of sigma 10.</summary>
    public static RasterImage StronglyDegraded(RasterImage image, ulong seed) =>
        ImageDegradation.AddNoise(ImageDegradation.BoxBlur(image, 2), 10, seed);
}
