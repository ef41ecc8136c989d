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

        // 2. Five points: a star's boundary has a five-fold harmonic of 0.06-0.14 even blurred, every other
        // shape's stays under 0.04.
        if (f.FiveFold > 0.045)
            return ShapeKind.Star;

        // 3. Deeply concave: a cross has four notches and a strong four-fold harmonic (0.09-0.14, a star's is
        // under 0.04); a star blurred below the harmonic threshold still shows three or more notches.
        if (f.Solidity < 0.82)
        {
            if (f.FourFold > 0.05)
                return ShapeKind.Cross;
            if (f.Defects >= 3)
                return ShapeKind.Star;
        }

        // 4. The only elongated shape.
        if (f.Elongation > 1.30)
            return ShapeKind.Diamond;

        // 5. One notch: the cleft of a heart. Jagged small triangles show notches too, but a heart's hull is
        // much rounder (0.86 against 0.70) and fills more of its rectangle (0.67 against 0.5).
        if (f.LargestDefect > 0.025 && f.Solidity < 0.96 && f.Circularity > 0.78 && f.RectangleFill > 0.58)
            return ShapeKind.Heart;

        // 6. Convex and compact. Corners show as harmonics of the boundary's distance from the centroid, which
        // average pixel noise over the whole outline and survive blur far better than hull roundness: a
        // square has a four-fold harmonic of 0.04 to 0.09 (circles and hexagons stay under 0.016), a hexagon a
        // six-fold one of 0.014 to 0.034 (circles under 0.015, mostly under 0.01). A triangle fills half its
        // smallest rectangle and has a three-fold harmonic over 0.08 (others under 0.035, hearts aside, which
        // step 5 took); every other convex shape here fills at least three quarters.
        if (f.FourFold > 0.028 && f.RectangleFill > 0.75)
            return ShapeKind.Square;
        if (f.ThreeFold > 0.05 || f.RectangleFill < 0.62 || f.Circularity < 0.78)
            return ShapeKind.Triangle;
        return f.SixFold > 0.013 ? ShapeKind.Hexagon : ShapeKind.Circle;
    }

    /// <summary>A candidate bar of a stripe pattern: long and thin (no other shape is over 1.7 times as long as
    /// wide). Solidity is loose because a thin bar at an angle is jagged at 128 pixels.</summary>
    public static bool IsBar(ComponentFeatures f) => f.Elongation > 2.4 && f.Solidity > 0.60;
}
