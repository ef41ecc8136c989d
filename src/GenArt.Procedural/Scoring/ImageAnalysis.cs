namespace GenArt.Procedural;

/// <summary>What the scorer sees in an image, independent of any prompt.</summary>
/// <param name="Foreground">Null when nothing but background was found.</param>
public sealed record ImageAnalysis(int Width, int Height, NamedColor Background, NamedColor? Foreground, IReadOnlyList<DetectedObject> Objects)
{
    public int Count => Objects.Count;

    /// <summary>The most frequent shape among the objects (ties go to the larger total area); null with no objects.</summary>
    public ShapeKind? DominantShape => Objects.Count == 0
        ? null
        : Objects.GroupBy(o => o.Shape).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Sum(o => o.Area)).First().Key;
}
