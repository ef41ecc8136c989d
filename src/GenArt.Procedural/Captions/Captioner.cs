namespace GenArt.Procedural;

/// <summary>Captions for scenes: one canonical form and paraphrases, all parsed back by <see cref="Scene.TryParse"/>.</summary>
/// <remarks>
/// Paraphrases put the same attributes in different orders and frames so that the text encoder learns the
/// words rather than their positions. Every template names every attribute except that the canonical one
/// leaves out what a user would leave out: "in the center" for a single centred shape and the flat style.
/// </remarks>
public static class Captioner
{
    public const int TemplateCount = 4;

    /// <summary>The canonical caption, e.g. "three yellow stars in a row on a blue background, gradient style".</summary>
    public static string Caption(Scene scene) => Caption(scene, 0);

    /// <summary>The caption in template 0 to <see cref="TemplateCount"/> - 1.</summary>
    public static string Caption(Scene scene, int template)
    {
        ArgumentNullException.ThrowIfNull(scene);
        scene.EnsureValid();
        string subject = Subject(scene);
        string layout = Grammar.LayoutPhrase(scene.Layout);
        string style = Grammar.StyleWord(scene.Style);
        string background = BackgroundPhrase(scene);
        switch (template)
        {
            case 0:
                string where = scene.Layout == Layout.Center ? "" : " " + layout;
                string styleTail = scene.Style == FillStyle.Flat ? "" : $", {style} style";
                return $"{subject}{where} on {WithArticle(background)}{styleTail}";
            case 1:
                return $"{WithArticle(background)} with {subject} {layout}, {style} style";
            case 2:
                return $"{Grammar.Article(style)} {style} illustration of {subject} {layout} against {WithArticle(background)}";
            case 3:
                return $"{subject} {layout}, {background}, {style}";
            default:
                throw new ArgumentOutOfRangeException(nameof(template), template, $"templates are 0 to {TemplateCount - 1}.");
        }
    }

    /// <summary>The caption in a template chosen by <paramref name="seed"/>.</summary>
    public static string Paraphrase(Scene scene, ulong seed)
    {
        var rng = SplitMix64.ForStream(seed, 3);
        return Caption(scene, rng.NextInt(TemplateCount));
    }

    /// <summary>"three yellow stars".</summary>
    private static string Subject(Scene scene)
    {
        string color = Grammar.ColorWord(scene.Foreground);
        string noun = Grammar.ShapeNoun(scene.Shape, scene.Count > 1);
        string count = scene.Count == 1 ? Grammar.Article(color) : Grammar.CountWord(scene.Count);
        return $"{count} {color} {noun}";
    }

    /// <summary>"blue background", "blue gradient background", "two-tone blue background".</summary>
    private static string BackgroundPhrase(Scene scene)
    {
        string color = Grammar.ColorWord(scene.Background);
        return scene.BackgroundStyle switch
        {
            BackgroundStyle.Plain => $"{color} background",
            BackgroundStyle.Gradient => $"{color} gradient background",
            BackgroundStyle.TwoTone => $"two-tone {color} background",
            _ => throw new ArgumentOutOfRangeException(nameof(scene), scene.BackgroundStyle, "unknown background style."),
        };
    }

    private static string WithArticle(string phrase) => $"{Grammar.Article(phrase)} {phrase}";
}
