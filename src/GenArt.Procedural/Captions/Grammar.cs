namespace GenArt.Procedural;

/// <summary>The words of the caption grammar, shared by <see cref="Captioner"/> and <see cref="Scene.TryParse"/>.</summary>
public static class Grammar
{
    public static string ColorWord(NamedColor color) => color switch
    {
        NamedColor.Red => "red",
        NamedColor.Orange => "orange",
        NamedColor.Yellow => "yellow",
        NamedColor.Green => "green",
        NamedColor.Blue => "blue",
        NamedColor.Purple => "purple",
        NamedColor.Pink => "pink",
        NamedColor.Brown => "brown",
        NamedColor.Black => "black",
        NamedColor.White => "white",
        NamedColor.Gray => "gray",
        NamedColor.Cyan => "cyan",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "unknown colour."),
    };

    /// <summary>The noun for a shape, singular or plural; stripes take two words.</summary>
    public static string ShapeNoun(ShapeKind shape, bool plural) => shape switch
    {
        ShapeKind.Circle => plural ? "circles" : "circle",
        ShapeKind.Square => plural ? "squares" : "square",
        ShapeKind.Triangle => plural ? "triangles" : "triangle",
        ShapeKind.Star => plural ? "stars" : "star",
        ShapeKind.Ring => plural ? "rings" : "ring",
        ShapeKind.Stripes => plural ? "stripe patterns" : "stripe pattern",
        ShapeKind.Hexagon => plural ? "hexagons" : "hexagon",
        ShapeKind.Cross => plural ? "crosses" : "cross",
        ShapeKind.Heart => plural ? "hearts" : "heart",
        ShapeKind.Diamond => plural ? "diamonds" : "diamond",
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown shape."),
    };

    public static string CountWord(int count) => count switch
    {
        1 => "a",
        2 => "two",
        3 => "three",
        4 => "four",
        _ => throw new ArgumentOutOfRangeException(nameof(count), count, "counts are 1 to 4."),
    };

    public static string LayoutPhrase(Layout layout) => layout switch
    {
        Layout.Center => "in the center",
        Layout.Left => "on the left",
        Layout.Right => "on the right",
        Layout.Top => "at the top",
        Layout.Bottom => "at the bottom",
        Layout.Row => "in a row",
        Layout.Column => "in a column",
        Layout.Grid => "in a grid",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown layout."),
    };

    public static string StyleWord(FillStyle style) => style switch
    {
        FillStyle.Flat => "flat",
        FillStyle.Gradient => "gradient",
        FillStyle.Outline => "outline",
        FillStyle.Shadowed => "shadowed",
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "unknown style."),
    };

    /// <summary>"a" or "an" for the word that follows.</summary>
    public static string Article(string nextWord) => "aeiou".Contains(nextWord[0]) ? "an" : "a";

    /// <summary>Words of a caption: lower case, split on spaces, a comma is a word of its own.</summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var lowered = text.ToLowerInvariant().Replace(",", " , ").Replace(".", " ");
        foreach (var t in lowered.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            tokens.Add(t);
        return tokens;
    }

    /// <summary>Every word <see cref="Captioner"/> can produce, sorted ordinally; fit a tokenizer to this.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary();

    private static string[] BuildVocabulary()
    {
        var words = new SortedSet<string>(StringComparer.Ordinal) { "a", "an", ",", "background", "with", "of", "on", "against", "style", "illustration", "two-tone" };
        foreach (var c in Enum.GetValues<NamedColor>())
            words.Add(ColorWord(c));
        foreach (var s in Enum.GetValues<ShapeKind>())
        {
            words.UnionWith(ShapeNoun(s, false).Split(' '));
            words.UnionWith(ShapeNoun(s, true).Split(' '));
        }
        for (int n = 1; n <= Scene.MaxCount; n++)
            words.Add(CountWord(n));
        foreach (var l in Enum.GetValues<Layout>())
            words.UnionWith(LayoutPhrase(l).Split(' '));
        foreach (var s in Enum.GetValues<FillStyle>())
            words.Add(StyleWord(s));
        return [.. words];
    }
}
