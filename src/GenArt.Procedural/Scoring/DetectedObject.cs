namespace GenArt.Procedural;

/// <summary>A shape the scorer found: its class, centroid in pixels and area in pixels.</summary>
public sealed record DetectedObject(ShapeKind Shape, double X, double Y, int Area);
