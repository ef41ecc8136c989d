namespace GenArt.Procedural.Scoring;

/// <summary>Convex hull (Andrew's monotone chain) and the polygon measures the shape features need.</summary>
internal static class ConvexHull
{
    /// <summary>The hull counter-clockwise in a y-down frame (clockwise on screen), without repeated points.</summary>
    public static (double X, double Y)[] Of(List<(double X, double Y)> points)
    {
        var p = points.Distinct().OrderBy(q => q.X).ThenBy(q => q.Y).ToArray();
        if (p.Length < 3)
            return p;
        var hull = new (double X, double Y)[2 * p.Length];
        int k = 0;
        for (int i = 0; i < p.Length; i++)
        {
            while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
                k--;
            hull[k++] = p[i];
        }
        for (int i = p.Length - 2, lower = k + 1; i >= 0; i--)
        {
            while (k >= lower && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
                k--;
            hull[k++] = p[i];
        }
        return hull[..(k - 1)];
    }

    public static double Area((double X, double Y)[] hull)
    {
        double sum = 0;
        for (int i = 0; i < hull.Length; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Length];
            sum += a.X * b.Y - b.X * a.Y;
        }
        return Math.Abs(sum) / 2;
    }

    public static double Perimeter((double X, double Y)[] hull)
    {
        double sum = 0;
        for (int i = 0; i < hull.Length; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Length];
            sum += Math.Sqrt((b.X - a.X) * (b.X - a.X) + (b.Y - a.Y) * (b.Y - a.Y));
        }
        return sum;
    }

    /// <summary>The area of the smallest enclosing rectangle (one of its sides lies on a hull edge; Freeman and
    /// Shapira 1975).</summary>
    public static double MinAreaRectangle((double X, double Y)[] hull)
    {
        double bestArea = double.MaxValue;
        for (int i = 0; i < hull.Length; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Length];
            double ex = b.X - a.X, ey = b.Y - a.Y, len = Math.Sqrt(ex * ex + ey * ey);
            if (len < 1e-9)
                continue;
            ex /= len;
            ey /= len;
            double minU = double.MaxValue, maxU = double.MinValue, minV = double.MaxValue, maxV = double.MinValue;
            foreach (var q in hull)
            {
                double u = q.X * ex + q.Y * ey, v = -q.X * ey + q.Y * ex;
                minU = Math.Min(minU, u);
                maxU = Math.Max(maxU, u);
                minV = Math.Min(minV, v);
                maxV = Math.Max(maxV, v);
            }
            bestArea = Math.Min(bestArea, (maxU - minU) * (maxV - minV));
        }
        return bestArea;
    }

    /// <summary>Where the horizontal line at <paramref name="y"/> enters and leaves the hull; null if it misses.</summary>
    public static (double Left, double Right)? Span((double X, double Y)[] hull, double y)
    {
        double left = double.MaxValue, right = double.MinValue;
        for (int i = 0; i < hull.Length; i++)
        {
            var a = hull[i];
            var b = hull[(i + 1) % hull.Length];
            if ((a.Y <= y && b.Y >= y) || (b.Y <= y && a.Y >= y))
            {
                double x = Math.Abs(b.Y - a.Y) < 1e-12 ? Math.Min(a.X, b.X) : a.X + (y - a.Y) * (b.X - a.X) / (b.Y - a.Y);
                double x2 = Math.Abs(b.Y - a.Y) < 1e-12 ? Math.Max(a.X, b.X) : x;
                left = Math.Min(left, x);
                right = Math.Max(right, x2);
            }
        }
        return left <= right ? (left, right) : null;
    }

    private static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
        (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);
}
