namespace GenArt.Procedural;

/// <summary>Draws scenes from the training distribution.</summary>
/// <remarks>
/// Colours and shapes are uniform so that every one is learned equally. Single shapes in the centre get the
/// largest share of layouts because a new user's first prompt is most often "a red circle on a blue
/// background"; flat fills and plain backgrounds get the largest share of styles for the same reason.
/// </remarks>
public static class SceneSampler
{
    // Center, Left, Right, Top, Bottom, Row, Column, Grid.
    private static readonly double[] LayoutWeights = [0.30, 0.06, 0.06, 0.06, 0.06, 0.18, 0.12, 0.16];
    // Flat, Gradient, Outline, Shadowed.
    private static readonly double[] StyleWeights = [0.40, 0.20, 0.20, 0.20];
    // Plain, Gradient, TwoTone.
    private static readonly double[] BackgroundWeights = [0.50, 0.25, 0.25];

    public static Scene Sample(ref SplitMix64 rng)
    {
        var colors = Palette.All;
        var background = colors[rng.NextInt(colors.Count)];
        // Any colour but the background's, uniformly.
        var foreground = colors[(int)(background + 1 + rng.NextInt(colors.Count - 1)) % colors.Count];
        var shapes = Enum.GetValues<ShapeKind>();
        var shape = shapes[rng.NextInt(shapes.Length)];
        var layout = (Layout)rng.NextWeighted(LayoutWeights);
        var counts = Scene.CountsFor(layout);
        int count = counts[rng.NextInt(counts.Count)];
        var style = (FillStyle)rng.NextWeighted(StyleWeights);
        if (!Scene.Allows(shape, style))
            style = FillStyle.Flat;
        var backgroundStyle = (BackgroundStyle)rng.NextWeighted(BackgroundWeights);
        return new Scene(background, backgroundStyle, foreground, shape, count, layout, style);
    }
}
