namespace GenArt.Procedural;

/// <summary>RGB values of the named colours, nearest-colour lookup, and the shades a named colour may take.</summary>
/// <remarks>
/// The values are chosen far apart in RGB (the closest pair, red and brown, is 99 apart) so that the scorer can
/// name a blurred, noisy pixel by its nearest entry. Shading (gradients, two-tone backgrounds, shadows) never
/// moves a colour out of its own nearest-colour cell: <see cref="Shade"/> is limited per colour so the shaded
/// value stays at most half as far from its own entry as from any other entry.
/// </remarks>
public static class Palette
{
    private static readonly Rgb[] Values =
    [
        new(210, 30, 30),   // red
        new(240, 130, 20),  // orange
        new(250, 230, 30),  // yellow
        new(40, 160, 60),   // green
        new(40, 80, 220),   // blue
        new(140, 40, 180),  // purple
        new(245, 140, 200), // pink
        new(120, 70, 20),   // brown
        new(20, 20, 20),    // black
        new(245, 245, 245), // white
        new(130, 130, 130), // gray
        new(40, 200, 220),  // cyan
    ];

    private static readonly Rgb White = new(255, 255, 255);
    private static readonly Rgb Black = new(0, 0, 0);

    /// <summary>Largest safe fraction of the way to white (index 0) and to black (index 1), per colour.</summary>
    private static readonly double[,] ShadeLimits = ComputeShadeLimits();

    public static IReadOnlyList<NamedColor> All { get; } = Enum.GetValues<NamedColor>();

    public static Rgb RgbOf(NamedColor color) => Values[(int)color];

    /// <summary>The named colour nearest to an RGB value.</summary>
    public static NamedColor Nearest(int r, int g, int b)
    {
        int best = 0, bestDistance = int.MaxValue;
        for (int i = 0; i < Values.Length; i++)
        {
            int d = Rgb.DistanceSquared(r, g, b, Values[i]);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = i;
            }
        }
        return (NamedColor)best;
    }

    /// <summary>
    /// A lighter (<paramref name="t"/> &gt; 0) or darker (<paramref name="t"/> &lt; 0) shade of a named colour;
    /// t = ±1 is the furthest shade that still reads unambiguously as that colour.
    /// </summary>
    public static Rgb Shade(NamedColor color, double t)
    {
        t = Math.Clamp(t, -1.0, 1.0);
        var baseColor = RgbOf(color);
        return t >= 0
            ? baseColor.Lerp(White, t * ShadeLimits[(int)color, 0])
            : baseColor.Lerp(Black, -t * ShadeLimits[(int)color, 1]);
    }

    /// <summary>True when <paramref name="c"/> is at most <paramref name="ratio"/> times as far from its
    /// named colour as from every other named colour.</summary>
    internal static bool IsClearly(Rgb c, NamedColor color, double ratio)
    {
        double own = Math.Sqrt(Rgb.DistanceSquared(c.R, c.G, c.B, RgbOf(color)));
        for (int i = 0; i < Values.Length; i++)
        {
            if (i == (int)color)
                continue;
            if (own > ratio * Math.Sqrt(Rgb.DistanceSquared(c.R, c.G, c.B, Values[i])))
                return false;
        }
        return true;
    }

    private static double[,] ComputeShadeLimits()
    {
        // At most 40% of the way, so a shade is a variation, not a different colour to the eye either.
        const double MaxFraction = 0.40, Step = 0.01, Ratio = 0.5;
        var limits = new double[Values.Length, 2];
        for (int i = 0; i < Values.Length; i++)
        {
            for (int side = 0; side < 2; side++)
            {
                var target = side == 0 ? White : Black;
                double limit = 0;
                for (double f = Step; f <= MaxFraction + 1e-9; f += Step)
                {
                    if (!IsClearly(Values[i].Lerp(target, f), (NamedColor)i, Ratio))
                        break;
                    limit = f;
                }
                limits[i, side] = limit;
            }
        }
        return limits;
    }
}
