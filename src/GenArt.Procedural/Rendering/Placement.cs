namespace GenArt.Procedural.Rendering;

/// <summary>One shape on the canvas: centre and radius in pixels, rotation in radians.</summary>
internal readonly record struct Placement(double X, double Y, double Radius, double Angle);

/// <summary>Turns a layout and count into shape placements with jittered size, position and rotation.</summary>
/// <remarks>
/// Each shape gets a cell of its own (a column of the row, a quadrant of the grid, ...). The radius is 56-76%
/// of half the cell's short side and the centre moves only as far as keeps the shape, its shadow and a
/// two-pixel gap inside the cell, so shapes never touch each other or the frame border (the scorer reads the
/// background from a border band and counts connected components).
/// </remarks>
internal static class Placements
{
    /// <summary>Shadow offset as a fraction of the radius, down and to the right.</summary>
    public const double ShadowOffset = 0.10;

    public static Placement[] For(Scene scene, int width, int height, ref SplitMix64 rng)
    {
        double margin = Math.Max(2.0, 0.03 * Math.Min(width, height));
        double x0 = margin, y0 = margin, w = width - 2 * margin, h = height - 2 * margin;
        var cells = Cells(scene.Layout, scene.Count, x0, y0, w, h, ref rng);
        var placements = new Placement[cells.Count];
        // A row (column) keeps its shapes on one line: the line moves as a whole, each shape only a little
        // across it, so that "in a row" stays true however the line is placed.
        const double MaxRadius = 0.76, AcrossJitter = 0.03;
        double lineShift = 0;
        if (scene.Layout is Layout.Row or Layout.Column && cells.Count > 0)
        {
            var (_, _, cw0, ch0) = cells[0];
            double reachMax = Math.Min(cw0, ch0) / 2 * MaxRadius * (1 + ShadowOffset) + 2;
            double room = scene.Layout == Layout.Row ? ch0 / 2 - reachMax - AcrossJitter * height : cw0 / 2 - reachMax - AcrossJitter * width;
            double limit = Math.Max(0, Math.Min(room, 0.15 * (scene.Layout == Layout.Row ? height : width)));
            lineShift = rng.NextDouble(-limit, limit);
        }
        for (int i = 0; i < cells.Count; i++)
        {
            var (cx, cy, cw, ch) = cells[i];
            double half = Math.Min(cw, ch) / 2;
            double radius = half * rng.NextDouble(0.56, MaxRadius);
            double reach = radius * (1 + ShadowOffset) + 2;
            double jx = Math.Max(0, cw / 2 - reach), jy = Math.Max(0, ch / 2 - reach);
            double sx = 0, sy = 0;
            switch (scene.Layout)
            {
                // A single centred shape stays near the middle so "in the center" stays true.
                case Layout.Center:
                    jx = Math.Min(jx, 0.06 * width);
                    jy = Math.Min(jy, 0.06 * height);
                    break;
                case Layout.Row:
                    jy = Math.Min(jy, AcrossJitter * height);
                    sy = lineShift;
                    break;
                case Layout.Column:
                    jx = Math.Min(jx, AcrossJitter * width);
                    sx = lineShift;
                    break;
            }
            double x = cx + cw / 2 + sx + rng.NextDouble(-jx, jx);
            double y = cy + ch / 2 + sy + rng.NextDouble(-jy, jy);
            placements[i] = new Placement(x, y, radius, RotationFor(scene.Shape, ref rng));
        }
        return placements;
    }

    /// <summary>Rotation jitter small enough that a square never reads as a diamond or a triangle as upside down;
    /// stripes take any direction.</summary>
    private static double RotationFor(ShapeKind shape, ref SplitMix64 rng)
    {
        const double Degree = Math.PI / 180;
        return shape switch
        {
            ShapeKind.Circle or ShapeKind.Ring => 0,
            ShapeKind.Stripes => rng.NextDouble(0, 180) * Degree,
            ShapeKind.Hexagon => rng.NextDouble(0, 60) * Degree,
            _ => rng.NextDouble(-15, 15) * Degree,
        };
    }

    private static List<(double X, double Y, double W, double H)> Cells(Layout layout, int count, double x0, double y0, double w, double h, ref SplitMix64 rng)
    {
        return layout switch
        {
            Layout.Center => [(x0, y0, w, h)],
            Layout.Left => Split(x0, y0, w / 2, h, 1, count),
            Layout.Right => Split(x0 + w / 2, y0, w / 2, h, 1, count),
            Layout.Top => Split(x0, y0, w, h / 2, count, 1),
            Layout.Bottom => Split(x0, y0 + h / 2, w, h / 2, count, 1),
            Layout.Row => Split(x0, y0, w, h, count, 1),
            Layout.Column => Split(x0, y0, w, h, 1, count),
            Layout.Grid => GridCells(x0, y0, w, h, count, ref rng),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout."),
        };
    }

    /// <summary>The region cut into <paramref name="columns"/> x <paramref name="rows"/> equal cells, row by row.</summary>
    private static List<(double, double, double, double)> Split(double x, double y, double w, double h, int columns, int rows)
    {
        var cells = new List<(double, double, double, double)>(columns * rows);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
                cells.Add((x + c * w / columns, y + r * h / rows, w / columns, h / rows));
        }
        return cells;
    }

    /// <summary>A 2x2 grid; three shapes leave one random cell empty.</summary>
    private static List<(double, double, double, double)> GridCells(double x, double y, double w, double h, int count, ref SplitMix64 rng)
    {
        var cells = Split(x, y, w, h, 2, 2);
        if (count == 3)
            cells.RemoveAt(rng.NextInt(4));
        return cells;
    }
}
