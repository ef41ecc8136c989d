using GenArt.Imaging;
using GenArt.Procedural.Scoring;

namespace GenArt.Procedural;

/// <summary>
/// Scores whether an image shows what its prompt asked for, by classical image analysis: nearest named colours,
/// connected components and shape features. No model is involved, so the score cannot share a model's biases.
/// </summary>
/// <remarks>
/// Steps: (1) name every pixel by its nearest palette colour; (2) the background is the most common name in a
/// border band; (3) the foreground is the most common other name among pixels whose 3x3 neighbourhood agrees,
/// which ignores the mixed colours blur leaves along edges (red on blue blurs to purple); (4) a pixel is
/// foreground when it is nearer the foreground colour than the background colour; (5) 8-connected components,
/// dropping specks under 0.08% of the image or 12% of the largest; (6) bars that lie side by side, parallel and
/// of one length become one stripe pattern; (7) each object is classified by <see cref="ShapeClassifier"/>.
/// </remarks>
public static class AdherenceScorer
{
    public static AdherenceScore Score(RasterImage image, Scene expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return new AdherenceScore(expected, Analyze(image, expected.Style));
    }

    /// <summary>
    /// Reads background, foreground, shapes and count from an image (RGB; RGBA and gray are read as RGB).
    /// <paramref name="style"/> is the style the
    /// prompt asked for: with <see cref="FillStyle.Outline"/> holes are filled before classifying (an outlined
    /// circle is a circle, not a ring).
    /// </summary>
    public static ImageAnalysis Analyze(RasterImage image, FillStyle style = FillStyle.Flat) => Analyze(image, style, out _);

    /// <summary><see cref="Analyze(RasterImage, FillStyle)"/>, also giving the features of every kept component.</summary>
    internal static ImageAnalysis Analyze(RasterImage image, FillStyle style, out IReadOnlyList<ComponentFeatures> measured)
    {
        measured = [];
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height;
        var px = AsRgb(image);

        // 1. Nearest named colour per pixel.
        var names = new byte[w * h];
        for (int i = 0; i < names.Length; i++)
            names[i] = (byte)Palette.Nearest(px[3 * i], px[3 * i + 1], px[3 * i + 2]);

        // 2. Background: the mode of a border band 1/32 of the size wide.
        int band = Math.Max(2, Math.Min(w, h) / 32);
        var votes = new int[Palette.All.Count];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                if (x < band || y < band || x >= w - band || y >= h - band)
                    votes[names[y * w + x]]++;
            }
        }
        var background = (NamedColor)ArgMax(votes, -1);

        // 3. Foreground: pixels inside a uniform 3x3 patch vote for their name. Edge pixels, where blur mixes the
        // shape with the background, vote for the colour whose mix with the background explains them, weighted
        // by how much of that colour they hold: the blurred edge of a thin white bar on red is pink by nearest
        // colour, but it lies on the red-white line, not the red-pink one.
        var weights = new double[Palette.All.Count];
        var bgRgb = Palette.RgbOf(background);
        for (int y = 1; y < h - 1; y++)
        {
            for (int x = 1; x < w - 1; x++)
            {
                int i = y * w + x;
                if (names[i] == (byte)background)
                    continue;
                if (IsUniform(names, w, i))
                {
                    weights[names[i]] += 1;
                    continue;
                }
                for (int c = 0; c < weights.Length; c++)
                {
                    if (c != (int)background)
                        weights[c] += MixShare(px[3 * i], px[3 * i + 1], px[3 * i + 2], bgRgb, Palette.RgbOf((NamedColor)c));
                }
            }
        }
        if (weights.Sum() == 0)
        {
            foreach (var n in names)
            {
                if (n != (byte)background)
                    weights[n]++;
            }
        }
        if (weights.Sum() == 0)
            return new ImageAnalysis(w, h, background, null, []);
        var foreground = (NamedColor)ArgMax(weights, (int)background);

        // 4. Foreground mask: nearer the foreground colour than the background colour.
        var fg = Palette.RgbOf(foreground);
        var bg = Palette.RgbOf(background);
        var mask = new bool[w * h];
        for (int i = 0; i < mask.Length; i++)
        {
            int r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
            mask[i] = Rgb.DistanceSquared(r, g, b, fg) < Rgb.DistanceSquared(r, g, b, bg);
        }

        // 5. Components of plausible size.
        var components = Label(mask, w, h);
        int largest = components.Count == 0 ? 0 : components.Max(c => c.Count);
        int minArea = (int)Math.Max(Math.Max(6, 0.0008 * w * h), 0.12 * largest);
        var kept = components.Where(c => c.Count >= minArea).ToList();
        bool outline = style == FillStyle.Outline;
        var features = kept.Select(c => ComponentFeatures.Measure(c, w)).ToList();
        measured = features;

        // 6 and 7. Stripe patterns from grouped bars; everything else classified alone.
        var objects = new List<DetectedObject>();
        var groups = GroupBars(features);
        foreach (var group in groups)
        {
            if (group.Count >= 2)
            {
                int area = group.Sum(f => f.Area);
                objects.Add(new DetectedObject(ShapeKind.Stripes, group.Sum(f => f.CentroidX * f.Area) / area, group.Sum(f => f.CentroidY * f.Area) / area, area));
            }
            else
            {
                var f = group[0];
                objects.Add(new DetectedObject(ShapeClassifier.Classify(f, outline), f.CentroidX, f.CentroidY, f.Area));
            }
        }
        return new ImageAnalysis(w, h, background, foreground, objects);
    }

    /// <summary>
    /// Whether the objects sit where a layout puts them: centre within the middle 40% for
    /// <see cref="Layout.Center"/>, every centroid in the named half for left/right/top/bottom, a wider spread
    /// across than down for a row (and the reverse for a column), and a spread over a quarter of the frame both
    /// ways for a grid.
    /// </summary>
    public static bool MatchesLayout(ImageAnalysis analysis, Layout layout)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var objects = analysis.Objects;
        if (objects.Count == 0)
            return false;
        double w = analysis.Width, h = analysis.Height;
        double spreadX = objects.Max(o => o.X) - objects.Min(o => o.X);
        double spreadY = objects.Max(o => o.Y) - objects.Min(o => o.Y);
        return layout switch
        {
            Layout.Center => objects.All(o => Math.Abs(o.X - w / 2) < 0.2 * w && Math.Abs(o.Y - h / 2) < 0.2 * h),
            Layout.Left => objects.All(o => o.X < w / 2),
            Layout.Right => objects.All(o => o.X > w / 2),
            Layout.Top => objects.All(o => o.Y < h / 2),
            Layout.Bottom => objects.All(o => o.Y > h / 2),
            Layout.Row => objects.Count >= 2 && spreadX > spreadY,
            Layout.Column => objects.Count >= 2 && spreadY > spreadX,
            Layout.Grid => objects.Count >= 3 && spreadX > 0.25 * w && spreadY > 0.25 * h,
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout."),
        };
    }

    /// <summary>
    /// Groups bars into stripe patterns: two bars join when parallel within 20 degrees, of lengths within a
    /// factor 1.6, less than half a length apart along their axis and less than 2.6 bar widths apart across it
    /// (bars of one pattern are two widths apart; neighbouring patterns are further).
    /// </summary>
    private static List<List<ComponentFeatures>> GroupBars(List<ComponentFeatures> features)
    {
        int n = features.Count;
        var parent = Enumerable.Range(0, n).ToArray();
        for (int a = 0; a < n; a++)
        {
            for (int b = a + 1; b < n; b++)
            {
                var fa = features[a];
                var fb = features[b];
                if (!ShapeClassifier.IsBar(fa) || !ShapeClassifier.IsBar(fb))
                    continue;
                double angle = Math.Abs(fa.Orientation - fb.Orientation);
                angle = Math.Min(angle, Math.PI - angle);
                double lengthRatio = Math.Max(fa.Length, fb.Length) / Math.Min(fa.Length, fb.Length);
                double dx = fb.CentroidX - fa.CentroidX, dy = fb.CentroidY - fa.CentroidY;
                double along = Math.Abs(dx * Math.Cos(fa.Orientation) + dy * Math.Sin(fa.Orientation));
                double across = Math.Abs(-dx * Math.Sin(fa.Orientation) + dy * Math.Cos(fa.Orientation));
                double width = Math.Max(fa.Width, fb.Width), length = Math.Max(fa.Length, fb.Length);
                if (angle < 20 * Math.PI / 180 && lengthRatio < 1.6 && along < 0.5 * length && across < 2.6 * width)
                    parent[Find(b)] = Find(a);
            }
        }
        return Enumerable.Range(0, n).GroupBy(Find).Select(g => g.Select(i => features[i]).ToList()).ToList();

        int Find(int i)
        {
            while (parent[i] != i)
                i = parent[i] = parent[parent[i]];
            return i;
        }
    }

    /// <summary>8-connected components of the mask, each as a list of pixel indices.</summary>
    private static List<List<int>> Label(bool[] mask, int w, int h)
    {
        var seen = new bool[mask.Length];
        var components = new List<List<int>>();
        var stack = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || seen[start])
                continue;
            var pixels = new List<int>();
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                pixels.Add(i);
                int x = i % w, y = i / w;
                for (int dy = -1; dy <= 1; dy++)
                {
                    int ny = y + dy;
                    if (ny < 0 || ny >= h)
                        continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx;
                        if (nx < 0 || nx >= w)
                            continue;
                        int j = ny * w + nx;
                        if (mask[j] && !seen[j])
                        {
                            seen[j] = true;
                            stack.Push(j);
                        }
                    }
                }
            }
            components.Add(pixels);
        }
        return components;
    }

    /// <summary>The image's pixels as RGB: alpha is ignored (model outputs are opaque), gray is replicated.</summary>
    private static byte[] AsRgb(RasterImage image)
    {
        if (image.Format == PixelFormat.Rgb8)
            return image.Pixels;
        int n = image.Width * image.Height, c = image.Channels;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 3; k++)
                rgb[3 * i + k] = image.Pixels[i * c + (c == 1 ? 0 : k)];
        }
        return rgb;
    }

    private static bool IsUniform(byte[] names, int w, int i)
    {
        byte n = names[i];
        return names[i - 1] == n && names[i + 1] == n && names[i - w] == n && names[i + w] == n
            && names[i - w - 1] == n && names[i - w + 1] == n && names[i + w - 1] == n && names[i + w + 1] == n;
    }

    /// <summary>
    /// How much of <paramref name="color"/> a pixel holds if it is a mix of <paramref name="background"/> and
    /// that colour: the mix fraction when the pixel lies within 30 of the line between them and holds at least
    /// 30% of the colour, otherwise 0.
    /// </summary>
    private static double MixShare(int r, int g, int b, Rgb background, Rgb color)
    {
        double ex = color.R - background.R, ey = color.G - background.G, ez = color.B - background.B;
        double px = r - background.R, py = g - background.G, pz = b - background.B;
        double t = Math.Clamp((px * ex + py * ey + pz * ez) / (ex * ex + ey * ey + ez * ez), 0, 1);
        double dx = px - t * ex, dy = py - t * ey, dz = pz - t * ez;
        return t >= 0.3 && dx * dx + dy * dy + dz * dz < 30 * 30 ? t : 0;
    }

    private static int ArgMax(double[] votes, int exclude)
    {
        int best = -1;
        for (int i = 0; i < votes.Length; i++)
        {
            if (i != exclude && (best < 0 || votes[i] > votes[best]))
                best = i;
        }
        return best;
    }

    private static int ArgMax(int[] votes, int exclude)
    {
        int best = -1;
        for (int i = 0; i < votes.Length; i++)
        {
            if (i != exclude && (best < 0 || votes[i] > votes[best]))
                best = i;
        }
        return best;
    }
}
