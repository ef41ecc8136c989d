namespace GenArt.Procedural;

/// <summary>
/// What a picture shows: the attributes a caption names and the scorer checks. Position, size and rotation
/// jitter are not part of a scene; they come from the render seed.
/// </summary>
public sealed partial record Scene(
    NamedColor Background,
    BackgroundStyle BackgroundStyle,
    NamedColor Foreground,
    ShapeKind Shape,
    int Count,
    Layout Layout,
    FillStyle Style)
{
    public const int MaxCount = 4;

    /// <summary>The counts a layout allows.</summary>
    public static IReadOnlyList<int> CountsFor(Layout layout) => layout switch
    {
        Layout.Center => [1],
        Layout.Left or Layout.Right or Layout.Top or Layout.Bottom => [1, 2],
        Layout.Row or Layout.Column => [2, 3, 4],
        Layout.Grid => [3, 4],
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout."),
    };

    /// <summary>Whether a style can paint a shape: rings and stripes are already strokes, so they have no
    /// outline form (an outlined ring would read as two rings).</summary>
    public static bool Allows(ShapeKind shape, FillStyle style) =>
        style != FillStyle.Outline || (shape != ShapeKind.Ring && shape != ShapeKind.Stripes);

    /// <summary>Null when the scene can be drawn, otherwise the reason it cannot.</summary>
    public string? Validate()
    {
        if (!Enum.IsDefined(Background) || !Enum.IsDefined(Foreground))
            return "unknown colour.";
        if (!Enum.IsDefined(Shape) || !Enum.IsDefined(Layout) || !Enum.IsDefined(Style) || !Enum.IsDefined(BackgroundStyle))
            return "unknown shape, layout or style.";
        if (Foreground == Background)
            return $"the foreground colour {Foreground} equals the background colour.";
        if (!CountsFor(Layout).Contains(Count))
            return $"layout {Layout} does not allow {Count} shapes (allowed: {string.Join(", ", CountsFor(Layout))}).";
        if (!Allows(Shape, Style))
            return $"style {Style} cannot paint a {Shape}.";
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the reason when the scene cannot be drawn.</summary>
    public void EnsureValid()
    {
        var error = Validate();
        if (error is not null)
            throw new ArgumentException($"invalid scene {this}: {error}");
    }
}
