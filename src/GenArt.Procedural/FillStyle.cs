namespace GenArt.Procedural;

/// <summary>How the foreground shapes are painted.</summary>
public enum FillStyle
{
    /// <summary>One solid colour.</summary>
    Flat,
    /// <summary>A linear gradient between a lighter and a darker shade of the colour.</summary>
    Gradient,
    /// <summary>A thick stroke along the inside of the shape's edge; the interior shows the background.</summary>
    Outline,
    /// <summary>Flat, over a darker shade of the background offset down and to the right.</summary>
    Shadowed,
}
