namespace GenArt.Procedural;

/// <summary>The shapes the generator draws and the scorer recognises.</summary>
public enum ShapeKind
{
    Circle,
    Square,
    Triangle,
    Star,
    Ring,
    /// <summary>A square patch of three parallel bars.</summary>
    Stripes,
    Hexagon,
    /// <summary>A plus sign.</summary>
    Cross,
    Heart,
    /// <summary>An upright rhombus, 1.6 times as tall as wide.</summary>
    Diamond,
}
