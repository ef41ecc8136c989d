namespace GenArt.Procedural;

/// <summary>How the background is painted; every variant stays in the named colour's nearest-colour cell.</summary>
public enum BackgroundStyle
{
    Plain,
    /// <summary>Top-to-bottom gradient from a lighter to a darker shade.</summary>
    Gradient,
    /// <summary>A lighter upper part and a darker lower band, split by a horizontal line.</summary>
    TwoTone,
}
