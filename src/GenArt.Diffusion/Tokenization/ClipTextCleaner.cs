using GenArt.Diffusion.Tokenization.Internal;

namespace GenArt.Diffusion.Tokenization;

/// <summary>The text cleanup CLIP applies to a prompt before pre-tokenization.</summary>
public static class ClipTextCleaner
{
    /// <summary>
    /// openai/CLIP: ftfy <c>fix_text</c>, Python <c>html.unescape</c> twice, strip, collapse whitespace runs to
    /// one space, lowercase.
    /// </summary>
    public static string CleanOpenAi(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string fixedText = TextFixer.FixText(text);
        fixedText = HtmlUnescaper.UnescapeLenient(HtmlUnescaper.UnescapeLenient(fixedText));
        return PythonText.Lower(PythonText.CollapseWhitespace(fixedText));
    }

    /// <summary>transformers' CLIPTokenizer: ftfy <c>fix_text</c>, collapse whitespace, lowercase.</summary>
    public static string CleanHuggingFace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PythonText.Lower(PythonText.CollapseWhitespace(TextFixer.FixText(text)));
    }

    /// <summary>ftfy 6.3 <c>fix_text</c> for the fixes that affect prompts (see the remarks on the implementation).</summary>
    public static string FixText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TextFixer.FixText(text);
    }
}
