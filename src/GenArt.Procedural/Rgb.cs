namespace GenArt.Procedural;

/// <summary>An 8-bit sRGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Squared Euclidean distance in RGB.</summary>
    public static int DistanceSquared(int r, int g, int b, Rgb c)
    {
        int dr = r - c.R, dg = g - c.G, db = b - c.B;
        return dr * dr + dg * dg + db * db;
    }

    /// <summary>This colour moved a fraction <paramref name="t"/> of the way to <paramref name="other"/>.</summary>
    public Rgb Lerp(Rgb other, double t) => new(
        (byte)Math.Round(R + (other.R - R) * t),
        (byte)Math.Round(G + (other.G - G) * t),
        (byte)Math.Round(B + (other.B - B) * t));
}
