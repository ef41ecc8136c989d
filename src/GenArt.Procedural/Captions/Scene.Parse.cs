using System.Diagnostics.CodeAnalysis;

namespace GenArt.Procedural;

public sealed partial record Scene
{
    private static readonly Dictionary<string, NamedColor> ColorWords = BuildColorWords();
    private static readonly Dictionary<string, (ShapeKind Shape, bool Plural)> ShapeWords = BuildShapeWords();
    private static readonly Dictionary<string, int> CountWords = new(StringComparer.Ordinal)
    {
        ["a"] = 1, ["an"] = 1, ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4,
    };
    private static readonly Dictionary<string, FillStyle> StyleWords = new(StringComparer.Ordinal)
    {
        ["flat"] = FillStyle.Flat, ["outline"] = FillStyle.Outline, ["outlined"] = FillStyle.Outline, ["shadowed"] = FillStyle.Shadowed,
    };

    /// <summary>
    /// Reads the scene a prompt asks for. Parses every caption <see cref="Captioner"/> produces back to its
    /// scene, and plain prompts such as "a red circle on a blue background" too.
    /// </summary>
    /// <remarks>
    /// Attributes are found by their neighbours, not their position, so every template parses with one rule:
    /// the foreground colour is the word before the shape noun, the count the word before that, the background
    /// colour the colour word just before "background". What a prompt leaves out takes the default a reader
    /// would assume: flat style, plain background, centred when single and in a row when several, and a white
    /// background (black behind a white shape) when no background is named.
    /// </remarks>
    public static bool TryParse(string prompt, [NotNullWhen(true)] out Scene? scene)
    {
        scene = null;
        if (string.IsNullOrWhiteSpace(prompt))
            return false;
        var tokens = Grammar.Tokenize(prompt);

        // 1. The shape noun and, just before it, the foreground colour and the count.
        int noun = tokens.ToList().FindIndex(t => ShapeWords.ContainsKey(t));
        if (noun < 1 || !ColorWords.TryGetValue(tokens[noun - 1], out var foreground))
            return false;
        var (shape, plural) = ShapeWords[tokens[noun]];
        if (shape == ShapeKind.Stripes && noun + 1 < tokens.Count && tokens[noun + 1] == "patterns")
            plural = true;
        int count = noun >= 2 && CountWords.TryGetValue(tokens[noun - 2], out var n) ? n : plural ? 2 : 1;

        // 2. The background: a colour within the three words before "background".
        var background = foreground == NamedColor.White ? NamedColor.Black : NamedColor.White;
        var backgroundStyle = BackgroundStyle.Plain;
        int backgroundWord = tokens.ToList().IndexOf("background");
        if (backgroundWord >= 0)
        {
            bool found = false;
            for (int k = backgroundWord - 1; k >= Math.Max(0, backgroundWord - 3); k--)
            {
                if (!found && ColorWords.TryGetValue(tokens[k], out var c))
                {
                    background = c;
                    found = true;
                }
                else if (tokens[k] == "gradient")
                    backgroundStyle = BackgroundStyle.Gradient;
                else if (tokens[k] == "two-tone")
                    backgroundStyle = BackgroundStyle.TwoTone;
            }
            if (!found)
                return false;
        }

        // 3. Layout phrase anywhere; 4. style word anywhere ("gradient" only when it is not the background's).
        var layout = FindLayout(tokens) ?? (count == 1 ? Layout.Center : Layout.Row);
        var style = FillStyle.Flat;
        for (int k = 0; k < tokens.Count; k++)
        {
            if (StyleWords.TryGetValue(tokens[k], out var s))
                style = s;
            else if (tokens[k] == "gradient" && (k + 1 == tokens.Count || tokens[k + 1] != "background"))
                style = FillStyle.Gradient;
        }

        var parsed = new Scene(background, backgroundStyle, foreground, shape, count, layout, style);
        if (parsed.Validate() is not null)
            return false;
        scene = parsed;
        return true;
    }

    private static Layout? FindLayout(IReadOnlyList<string> tokens)
    {
        foreach (var layout in Enum.GetValues<Layout>())
        {
            if (ContainsPhrase(tokens, Grammar.LayoutPhrase(layout).Split(' ')))
                return layout;
        }
        return ContainsPhrase(tokens, ["in", "the", "middle"]) ? Layout.Center : null;
    }

    private static bool ContainsPhrase(IReadOnlyList<string> tokens, string[] phrase)
    {
        for (int i = 0; i + phrase.Length <= tokens.Count; i++)
        {
            int j = 0;
            while (j < phrase.Length && tokens[i + j] == phrase[j])
                j++;
            if (j == phrase.Length)
                return true;
        }
        return false;
    }

    private static Dictionary<string, NamedColor> BuildColorWords()
    {
        var words = new Dictionary<string, NamedColor>(StringComparer.Ordinal);
        foreach (var c in Enum.GetValues<NamedColor>())
            words[Grammar.ColorWord(c)] = c;
        words["grey"] = NamedColor.Gray;
        return words;
    }

    private static Dictionary<string, (ShapeKind, bool)> BuildShapeWords()
    {
        var words = new Dictionary<string, (ShapeKind, bool)>(StringComparer.Ordinal);
        foreach (var s in Enum.GetValues<ShapeKind>())
        {
            // The first word of the noun identifies the shape ("stripe" of "stripe pattern").
            words[Grammar.ShapeNoun(s, false).Split(' ')[0]] = (s, false);
            var plural = Grammar.ShapeNoun(s, true).Split(' ')[0];
            if (!words.ContainsKey(plural))
                words[plural] = (s, true);
        }
        words["stripes"] = (ShapeKind.Stripes, false);
        words["striped"] = (ShapeKind.Stripes, false);
        return words;
    }
}
