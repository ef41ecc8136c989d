namespace GenArt.Procedural.Rendering;

/// <summary>
/// Signed distance functions of the shapes (negative inside), in a shape's own frame: centred on the origin,
/// y pointing down, every shape inside the unit disc so that a placement of radius R keeps it within R pixels.
/// </summary>
/// <remarks>
/// Exact distances (after Inigo Quilez's 2D distance functions, iquilezles.org/articles/distfunctions2d) give
/// analytic anti-aliasing: a pixel's coverage is its centre's distance to the edge, clamped to one pixel.
/// The sizes are set so the shapes have comparable visual weight and differ in the features the scorer reads:
/// squares are 1.0 of their bounding box, circles 0.79, triangles 0.5, diamonds 1.6 times as tall as wide.
/// </remarks>
internal static class ShapeDistance
{
    public static double Of(ShapeKind shape, double x, double y) => shape switch
    {
        ShapeKind.Circle => Math.Sqrt(x * x + y * y) - 0.92,
        ShapeKind.Square => Box(x, y, 0.70, 0.70),
        ShapeKind.Triangle => Triangle(x, -y, 0.866),
        ShapeKind.Star => Star5(x, -y, 1.0, 0.45),
        ShapeKind.Ring => Math.Abs(Math.Sqrt(x * x + y * y) - 0.71) - 0.23,
        ShapeKind.Stripes => Stripes(x, y),
        ShapeKind.Hexagon => Hexagon(x, y, 0.84),
        ShapeKind.Cross => Math.Min(Box(x, y, 0.92, 0.30), Box(x, y, 0.30, 0.92)),
        ShapeKind.Heart => Heart(x, -y),
        ShapeKind.Diamond => Rhombus(x, y, 0.60, 0.96),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown shape."),
    };

    private static double Box(double x, double y, double bx, double by)
    {
        double dx = Math.Abs(x) - bx, dy = Math.Abs(y) - by;
        double ox = Math.Max(dx, 0), oy = Math.Max(dy, 0);
        return Math.Sqrt(ox * ox + oy * oy) + Math.Min(Math.Max(dx, dy), 0);
    }

    /// <summary>Equilateral triangle, apex up in a y-up frame; <paramref name="r"/> is half the side.</summary>
    private static double Triangle(double px, double py, double r)
    {
        const double K = 1.7320508075688772;
        px = Math.Abs(px) - r;
        py += r / K;
        if (px + K * py > 0)
            (px, py) = ((px - K * py) / 2, (-K * px - py) / 2);
        px -= Math.Clamp(px, -2 * r, 0);
        return -Math.Sqrt(px * px + py * py) * Math.Sign(py);
    }

    /// <summary>Five-pointed star, a point up in a y-up frame; <paramref name="rf"/> sets the inner radius.</summary>
    private static double Star5(double px, double py, double r, double rf)
    {
        const double K1x = 0.809016994375, K1y = -0.587785252292;
        const double K2x = -K1x, K2y = K1y;
        px = Math.Abs(px);
        double d1 = 2 * Math.Max(K1x * px + K1y * py, 0);
        px -= d1 * K1x;
        py -= d1 * K1y;
        double d2 = 2 * Math.Max(K2x * px + K2y * py, 0);
        px -= d2 * K2x;
        py -= d2 * K2y;
        px = Math.Abs(px);
        py -= r;
        double bax = rf * -K1y, bay = rf * K1x - 1;
        double h = Math.Clamp((px * bax + py * bay) / (bax * bax + bay * bay), 0, r);
        double qx = px - bax * h, qy = py - bay * h;
        return Math.Sqrt(qx * qx + qy * qy) * Math.Sign(py * bax - px * bay);
    }

    /// <summary>Regular hexagon with inradius <paramref name="r"/> and flat top and bottom.</summary>
    private static double Hexagon(double px, double py, double r)
    {
        const double Kx = -0.866025404, Ky = 0.5, Kz = 0.577350269;
        px = Math.Abs(px);
        py = Math.Abs(py);
        double d = 2 * Math.Min(Kx * px + Ky * py, 0);
        px -= d * Kx;
        py -= d * Ky;
        px -= Math.Clamp(px, -Kz * r, Kz * r);
        py -= r;
        return Math.Sqrt(px * px + py * py) * Math.Sign(py);
    }

    /// <summary>Rhombus with half-diagonals <paramref name="bx"/> and <paramref name="by"/>.</summary>
    private static double Rhombus(double px, double py, double bx, double by)
    {
        px = Math.Abs(px);
        py = Math.Abs(py);
        double ax = bx - 2 * px, ay = by - 2 * py;
        double h = Math.Clamp((ax * bx - ay * by) / (bx * bx + by * by), -1, 1);
        double qx = px - 0.5 * bx * (1 - h), qy = py - 0.5 * by * (1 + h);
        return Math.Sqrt(qx * qx + qy * qy) * Math.Sign(px * by + py * bx - bx * by);
    }

    /// <summary>
    /// Heart in a y-up frame: two lobes (circles of radius 0.45 at (±0.42, 0.28)) over a pentagon from the
    /// bottom point (0, -0.95) to the points where its sides touch the lobes. The lobes overlap only a little,
    /// so the cleft between them is deep enough (0.29) to survive blur as the heart's one concavity.
    /// </summary>
    private static double Heart(double x, double y)
    {
        const double Cx = 0.42, Cy = 0.28, R = 0.45;
        double lobe = Math.Sqrt((Math.Abs(x) - Cx) * (Math.Abs(x) - Cx) + (y - Cy) * (y - Cy)) - R;
        return Math.Min(lobe, ConvexPolygon(x, y, HeartBody));
    }

    /// <summary>Bottom point, right tangent point, right and left lobe centres, left tangent point.</summary>
    private static readonly (double X, double Y)[] HeartBody =
        [(0, -0.95), (0.7693, -0.0039), (0.42, 0.28), (-0.42, 0.28), (-0.7693, -0.0039)];

    /// <summary>Exact signed distance to a polygon (winding-number sign), after Quilez's sdPolygon.</summary>
    private static double ConvexPolygon(double px, double py, (double X, double Y)[] v)
    {
        double d = (px - v[0].X) * (px - v[0].X) + (py - v[0].Y) * (py - v[0].Y);
        double s = 1;
        for (int i = 0, j = v.Length - 1; i < v.Length; j = i, i++)
        {
            double ex = v[j].X - v[i].X, ey = v[j].Y - v[i].Y;
            double wx = px - v[i].X, wy = py - v[i].Y;
            double t = Math.Clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0, 1);
            double bx = wx - ex * t, by = wy - ey * t;
            d = Math.Min(d, bx * bx + by * by);
            bool c1 = py >= v[i].Y, c2 = py < v[j].Y, c3 = ex * wy > ey * wx;
            if ((c1 && c2 && c3) || (!c1 && !c2 && !c3))
                s = -s;
        }
        return s * Math.Sqrt(d);
    }

    /// <summary>Three vertical bars, each a fifth of a 1.4-wide square, with equal gaps between them.</summary>
    private static double Stripes(double x, double y)
    {
        const double Pitch = 0.56, HalfBar = 0.14;
        double centre = Math.Clamp(Math.Round(x / Pitch), -1, 1) * Pitch;
        return Math.Max(Box(x, y, 0.70, 0.70), Math.Abs(x - centre) - HalfBar);
    }
}
