namespace GenArt.Procedural.Scoring;

/// <summary>Rotation- and scale-invariant measures of one connected foreground component.</summary>
/// <remarks>
/// Everything after <see cref="HoleRatio"/> is measured on the component with its holes filled, so an outlined
/// square measures like a filled one. The hull is taken over pixel corners, so a filled axis-aligned square has
/// solidity 1 and an exact hull.
/// </remarks>
internal sealed class ComponentFeatures
{
    public int Area { get; private init; }
    public double CentroidX { get; private init; }
    public double CentroidY { get; private init; }
    /// <summary>Hole pixels over filled pixels: about 0.3 for a ring, 0 for solid shapes.</summary>
    public double HoleRatio { get; private init; }
    /// <summary>Filled area over hull area: 1 for convex shapes, about 0.55 for a star, 0.7 for a cross.</summary>
    public double Solidity { get; private init; }
    /// <summary>4 pi hull area / hull perimeter squared: 1 circle, 0.91 hexagon, 0.79 square, 0.6 triangle.</summary>
    public double Circularity { get; private init; }
    /// <summary>Filled area over the smallest enclosing rectangle: 1 square, 0.79 circle, 0.5 triangle.</summary>
    public double RectangleFill { get; private init; }
    /// <summary>Square root of the ratio of the principal second moments: 1.6 diamond, 5 a stripe bar.</summary>
    public double Elongation { get; private init; }
    /// <summary>Direction of the major axis, radians in [0, pi).</summary>
    public double Orientation { get; private init; }
    /// <summary>Length and width of the equal-moment rectangle (for bars of a stripe pattern).</summary>
    public double Length { get; private init; }
    public double Width { get; private init; }
    /// <summary>Pieces of hull-minus-shape larger than 2% of the hull: 5 for a star, 4 for a cross, 1 for a heart.</summary>
    public int Defects { get; private init; }
    /// <summary>The largest such piece over the hull area.</summary>
    public double LargestDefect { get; private init; }
    /// <summary>Strength of the six-fold harmonic of the boundary's distance from the centroid, relative to
    /// the mean distance: about 0.03 for a hexagon, under 0.01 for a circle, whatever the rotation.</summary>
    public double SixFold { get; private init; }
    /// <summary>The same for the four-fold harmonic: about 0.07 for a square, under 0.01 for a hexagon or circle.</summary>
    public double FourFold { get; private init; }
    /// <summary>The same for the three-fold harmonic: the corners of a triangle.</summary>
    public double ThreeFold { get; private init; }
    /// <summary>The same for the five-fold harmonic: the points of a star.</summary>
    public double FiveFold { get; private init; }

    public static ComponentFeatures Measure(IReadOnlyList<int> pixels, int imageWidth)
    {
        // 1. Local mask with a one-pixel frame.
        int minX = int.MaxValue, minY = int.MaxValue, maxX = int.MinValue, maxY = int.MinValue;
        foreach (int p in pixels)
        {
            int x = p % imageWidth, y = p / imageWidth;
            minX = Math.Min(minX, x);
            maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y);
            maxY = Math.Max(maxY, y);
        }
        int w = maxX - minX + 3, h = maxY - minY + 3;
        var mask = new byte[w * h]; // 1 component, 2 outside, 0 hole
        double sx = 0, sy = 0;
        foreach (int p in pixels)
        {
            int x = p % imageWidth, y = p / imageWidth;
            mask[(y - minY + 1) * w + (x - minX + 1)] = 1;
            sx += x + 0.5;
            sy += y + 0.5;
        }

        // 2. Holes: background not reachable from the frame, 4-connected (the dual of 8-connected components).
        FloodOutside(mask, w, h);
        int holes = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] == 0)
            {
                holes++;
                mask[i] = 1;
            }
        }
        int filled = pixels.Count + holes;

        // 3. Hull over the outer corners of each row's extreme pixels; moments of the filled shape.
        var corners = new List<(double X, double Y)>();
        double fx = 0, fy = 0;
        for (int y = 1; y < h - 1; y++)
        {
            int left = -1, right = -1;
            for (int x = 1; x < w - 1; x++)
            {
                if (mask[y * w + x] != 1)
                    continue;
                if (left < 0)
                    left = x;
                right = x;
                fx += x + 0.5;
                fy += y + 0.5;
            }
            if (left < 0)
                continue;
            corners.Add((left, y));
            corners.Add((left, y + 1));
            corners.Add((right + 1, y));
            corners.Add((right + 1, y + 1));
        }
        fx /= filled;
        fy /= filled;
        double m20 = 0, m02 = 0, m11 = 0;
        for (int y = 1; y < h - 1; y++)
        {
            for (int x = 1; x < w - 1; x++)
            {
                if (mask[y * w + x] != 1)
                    continue;
                double dx = x + 0.5 - fx, dy = y + 0.5 - fy;
                m20 += dx * dx;
                m02 += dy * dy;
                m11 += dx * dy;
            }
        }
        // A pixel is a unit square, not a point: add its own second moment so tiny shapes are not too thin.
        m20 = m20 / filled + 1.0 / 12;
        m02 = m02 / filled + 1.0 / 12;
        m11 /= filled;
        double mean = (m20 + m02) / 2, spread = Math.Sqrt((m20 - m02) * (m20 - m02) / 4 + m11 * m11);
        double major = mean + spread, minor = Math.Max(1e-9, mean - spread);

        var hull = ConvexHull.Of(corners);
        double hullArea = Math.Max(1, ConvexHull.Area(hull));
        double perimeter = Math.Max(1, ConvexHull.Perimeter(hull));
        double rectArea = ConvexHull.MinAreaRectangle(hull);
        var (defects, largest) = MeasureDefects(mask, w, h, hull, hullArea);

        var harmonics = Harmonics(mask, w, h, fx, fy, 6);
        double orientation = 0.5 * Math.Atan2(2 * m11, m20 - m02);
        if (orientation < 0)
            orientation += Math.PI;
        return new ComponentFeatures
        {
            Area = pixels.Count,
            CentroidX = sx / pixels.Count,
            CentroidY = sy / pixels.Count,
            HoleRatio = (double)holes / filled,
            Solidity = Math.Min(1, filled / hullArea),
            Circularity = Math.Min(1, 4 * Math.PI * hullArea / (perimeter * perimeter)),
            RectangleFill = Math.Min(1, filled / Math.Max(1, rectArea)),
            Elongation = Math.Sqrt(major / minor),
            Orientation = orientation,
            Length = Math.Sqrt(12 * major),
            Width = Math.Sqrt(12 * minor),
            Defects = defects,
            LargestDefect = largest,
            ThreeFold = harmonics[3],
            FourFold = harmonics[4],
            FiveFold = harmonics[5],
            SixFold = harmonics[6],
        };
    }

    /// <summary>
    /// For k = 1 to <paramref name="maxK"/>: |sum over boundary pixels of (r - mean r) e^(-i k theta)| / (n mean r),
    /// with r and theta the pixel's distance and direction from the centroid. A shape with k corners or points
    /// has a strong k-th harmonic; a circle only pixel noise, which averages out over the whole boundary.
    /// </summary>
    private static double[] Harmonics(byte[] mask, int w, int h, double cx, double cy, int maxK)
    {
        var result = new double[maxK + 1];
        var radii = new List<(double R, double Theta)>();
        for (int y = 1; y < h - 1; y++)
        {
            for (int x = 1; x < w - 1; x++)
            {
                int i = y * w + x;
                if (mask[i] != 1 || (mask[i - 1] == 1 && mask[i + 1] == 1 && mask[i - w] == 1 && mask[i + w] == 1))
                    continue;
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                radii.Add((Math.Sqrt(dx * dx + dy * dy), Math.Atan2(dy, dx)));
            }
        }
        if (radii.Count < 8)
            return result;
        double mean = radii.Average(r => r.R);
        for (int k = 1; k <= maxK; k++)
        {
            double re = 0, im = 0;
            foreach (var (r, theta) in radii)
            {
                re += (r - mean) * Math.Cos(k * theta);
                im -= (r - mean) * Math.Sin(k * theta);
            }
            result[k] = Math.Sqrt(re * re + im * im) / (radii.Count * Math.Max(1e-9, mean));
        }
        return result;
    }

    private static void FloodOutside(byte[] mask, int w, int h)
    {
        var stack = new Stack<int>();
        stack.Push(0);
        mask[0] = 2;
        while (stack.Count > 0)
        {
            int i = stack.Pop();
            int x = i % w, y = i / w;
            if (x > 0) Visit(i - 1);
            if (x < w - 1) Visit(i + 1);
            if (y > 0) Visit(i - w);
            if (y < h - 1) Visit(i + w);
        }

        void Visit(int j)
        {
            if (mask[j] == 0)
            {
                mask[j] = 2;
                stack.Push(j);
            }
        }
    }

    /// <summary>Pixels inside the hull but outside the shape, grouped 4-connected; pieces over 2% of the hull count.</summary>
    private static (int Count, double Largest) MeasureDefects(byte[] mask, int w, int h, (double X, double Y)[] hull, double hullArea)
    {
        var defect = new bool[w * h];
        for (int y = 1; y < h - 1; y++)
        {
            var span = ConvexHull.Span(hull, y + 0.5);
            if (span is null)
                continue;
            for (int x = 1; x < w - 1; x++)
            {
                double cx = x + 0.5;
                if (cx > span.Value.Left && cx < span.Value.Right && mask[y * w + x] != 1)
                    defect[y * w + x] = true;
            }
        }
        int count = 0, largest = 0;
        var stack = new Stack<int>();
        for (int start = 0; start < defect.Length; start++)
        {
            if (!defect[start])
                continue;
            int size = 0;
            defect[start] = false;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                size++;
                int x = i % w, y = i / w;
                foreach (int j in (ReadOnlySpan<int>)[x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1])
                {
                    if (j >= 0 && defect[j])
                    {
                        defect[j] = false;
                        stack.Push(j);
                    }
                }
            }
            largest = Math.Max(largest, size);
            if (size >= Math.Max(3, 0.02 * hullArea))
                count++;
        }
        return (count, largest / hullArea);
    }
}
