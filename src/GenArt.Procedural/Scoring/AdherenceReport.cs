using System.Globalization;
using System.Text;

namespace GenArt.Procedural;

/// <summary>Per-attribute accuracy over a set of scored images, and which shapes were taken for which.</summary>
public sealed class AdherenceReport
{
    private readonly int[,] _shapeConfusion = new int[Enum.GetValues<ShapeKind>().Length, Enum.GetValues<ShapeKind>().Length + 1];

    public int Total { get; private set; }
    public int BackgroundCorrect { get; private set; }
    public int ForegroundCorrect { get; private set; }
    public int ShapeCorrect { get; private set; }
    public int CountCorrect { get; private set; }
    public int LayoutCorrect { get; private set; }
    public int AllCorrect { get; private set; }

    public double BackgroundAccuracy => Ratio(BackgroundCorrect);
    public double ForegroundAccuracy => Ratio(ForegroundCorrect);
    public double ShapeAccuracy => Ratio(ShapeCorrect);
    public double CountAccuracy => Ratio(CountCorrect);
    public double LayoutAccuracy => Ratio(LayoutCorrect);
    public double AllAccuracy => Ratio(AllCorrect);

    public void Add(AdherenceScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        Total++;
        BackgroundCorrect += score.Background ? 1 : 0;
        ForegroundCorrect += score.Foreground ? 1 : 0;
        ShapeCorrect += score.Shape ? 1 : 0;
        CountCorrect += score.Count ? 1 : 0;
        LayoutCorrect += score.Layout ? 1 : 0;
        AllCorrect += score.All ? 1 : 0;
        var seen = score.Observed.DominantShape;
        _shapeConfusion[(int)score.Expected.Shape, seen is null ? _shapeConfusion.GetLength(1) - 1 : (int)seen.Value]++;
    }

    /// <summary>How often a requested shape (first index) was detected as another (second index; the last
    /// column counts images where no shape was found).</summary>
    public int ShapeConfusion(ShapeKind expected, ShapeKind? detected) =>
        _shapeConfusion[(int)expected, detected is null ? _shapeConfusion.GetLength(1) - 1 : (int)detected.Value];

    /// <summary>
    /// One line per requested shape, most missed first: "star      12/20  as circle 5, triangle 2, none 1". Shapes
    /// never requested are left out.
    /// </summary>
    public IReadOnlyList<string> ShapeBreakdown()
    {
        var kinds = Enum.GetValues<ShapeKind>();
        var rows = new List<(double Accuracy, string Line)>();
        foreach (var kind in kinds)
        {
            int total = 0;
            for (int j = 0; j < _shapeConfusion.GetLength(1); j++) total += _shapeConfusion[(int)kind, j];
            if (total == 0) continue;
            int correct = _shapeConfusion[(int)kind, (int)kind];
            var misses = Enumerable.Range(0, _shapeConfusion.GetLength(1))
                .Where(j => j != (int)kind && _shapeConfusion[(int)kind, j] > 0)
                .OrderByDescending(j => _shapeConfusion[(int)kind, j]).ThenBy(j => j)
                .Select(j => $"{(j < kinds.Length ? Name(kinds[j]) : "none")} {_shapeConfusion[(int)kind, j]}");
            string tail = string.Join(", ", misses);
            string line = string.Create(CultureInfo.InvariantCulture, $"{Name(kind),-9} {correct,3}/{total,-3}{(tail.Length > 0 ? "  as " + tail : "")}");
            rows.Add(((double)correct / total, line.TrimEnd()));
        }
        return rows.OrderBy(r => r.Accuracy).Select(r => r.Line).ToList();

        static string Name(ShapeKind kind) => kind.ToString().ToLowerInvariant();
    }

    /// <summary>"n=200 background 99.5% foreground 98.0% shape 93.0% count 97.5% layout 96.0% all 90.0%".</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"n={Total}");
        Append("background", BackgroundAccuracy);
        Append("foreground", ForegroundAccuracy);
        Append("shape", ShapeAccuracy);
        Append("count", CountAccuracy);
        Append("layout", LayoutAccuracy);
        Append("all", AllAccuracy);
        return s.ToString();

        void Append(string name, double value) => s.Append(CultureInfo.InvariantCulture, $" {name} {value * 100:F1}%");
    }

    private double Ratio(int correct) => Total == 0 ? 0 : (double)correct / Total;
}
