namespace GenArt.Procedural;

/// <summary>The colours the caption grammar can name; their RGB values are in <see cref="Palette"/>.</summary>
public enum NamedColor
{
    Red,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
    Pink,
    Brown,
    Black,
    White,
    Gray,
    Cyan,
}
