namespace GenArt.Procedural;

/// <summary>Where the shapes go. Each layout allows the counts in <see cref="Scene.CountsFor"/>.</summary>
public enum Layout
{
    /// <summary>One shape in the middle.</summary>
    Center,
    /// <summary>One or two shapes in the left half (two are stacked).</summary>
    Left,
    Right,
    /// <summary>One or two shapes in the upper half (two are side by side).</summary>
    Top,
    Bottom,
    /// <summary>Two to four shapes side by side across the frame.</summary>
    Row,
    /// <summary>Two to four shapes stacked down the frame.</summary>
    Column,
    /// <summary>Three or four shapes in the cells of a 2x2 grid.</summary>
    Grid,
}
