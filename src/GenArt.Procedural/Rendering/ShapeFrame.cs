namespace GenArt.Procedural.Rendering;

/// <summary>A placed shape: canvas points to its own frame, and their signed distance to its edge in pixels.</summary>
internal readonly struct ShapeFrame(ShapeKind shape, Placement placement, double band)
{
    private readonly double _cos = Math.Cos(placement.Angle);
    private readonly double _sin = Math.Sin(placement.Angle);

    /// <summary>
    /// Signed distance in pixels from a canvas point to the shape's edge (or, with a band, to the band of that
    /// width along the inside of the edge); <paramref name="lx"/>, <paramref name="ly"/> give the point in the
    /// shape's unit frame for the fill.
    /// </summary>
    public double Distance(double x, double y, out double lx, out double ly)
    {
        double r = placement.Radius;
        double dx = x - placement.X, dy = y - placement.Y;
        // Undo the rotation, scale to the unit disc.
        lx = (dx * _cos + dy * _sin) / r;
        ly = (-dx * _sin + dy * _cos) / r;
        double d = ShapeDistance.Of(shape, lx, ly) * r;
        return band > 0 ? Math.Abs(d + band / 2) - band / 2 : d;
    }
}
