namespace GenArt.Procedural.Scoring;

/// <summary>Names the shape of one component from its features: a short decision list, most distinctive first.</summary>
/// <remarks>
/// The thresholds sit between the feature values of the generator's shapes measured clean and after a 5x5 box
/// blur plus noise (docs/procedural.md lists them). Blur rounds corners and fills concavities, so the
/// list leans on features blur moves least: holes, the number of concavities, elongation, boundary harmonics.
/// </remarks>
internal static class ShapeClassifier
{
    public static ShapeKind Classify(ComponentFeatures f, bool outlineStyle)
    {
        // 1. A large hole is a ring, unless the style itself leaves every shape hollow.
        if (!outlineStyle && f.HoleRatio > 0.10)
            return ShapeKind.Ring;

        // 2. Deeply concave: a star has five notches, a cross four.
        if (f.Solidity < 0.82)
        {
            if (f.Defects >= 5)
                return ShapeKind.Star;
            if (f.Defects == 4)
                return ShapeKind.Cross;
            return f.Solidity < 0.68 ? ShapeKind.Star : ShapeKind.Cross;
        }

        // 3. The only elongated shape.
        if (f.Elongation > 1.30)
            return ShapeKind.Diamond;

        // 4. One notch: the cleft of a heart. Jagged small triangles show notches too, but a heart's hull is
        // much rounder (0.86 against 0.70) and fills more of its rectangle (0.67 against 0.5).
        if (f.LargestDefect > 0.025 && f.Solidity < 0.96 && f.Circularity > 0.78 && f.RectangleFill > 0.58)
            return ShapeKind.Heart;

        // 5. Convex and compact. Corners show as harmonics of the boundary's distance from the centroid, which
        // average pixel noise over the whole outline and survive blur far better than hull roundness: a
        // square has a four-fold harmonic of 0.04 to 0.09 (circles and hexagons stay under 0.016), a hexagon a
        // six-fold one of 0.014 to 0.034 (circles under 0.015, mostly under 0.01). A triangle fills half its
        // smallest rectangle; every other convex shape here fills at least three quarters.
        if (f.FourFold > 0.028 && f.RectangleFill > 0.75)
            return ShapeKind.Square;
        if (f.RectangleFill < 0.62 || f.Circularity < 0.78)
            return ShapeKind.Triangle;
        return f.SixFold > 0.013 ? ShapeKind.Hexagon : ShapeKind.Circle;
    }

    /// <summary>A candidate bar of a stripe pattern: long and thin (no other shape is over 1.7 times as long as
    /// wide). Solidity is loose because a thin bar at an angle is jagged at 128 pixels.</summary>
    public static bool IsBar(ComponentFeatures f) => f.Elongation > 2.4 && f.Solidity > 0.60;
}
