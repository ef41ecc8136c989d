using System.Text;

namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// The Python 3 string operations that the CLIP reference applies to prompts (<c>str.strip</c>,
/// <c>re.sub(r'\s+', ' ', ...)</c>, <c>str.lower</c>), with Python's definitions of whitespace and case.
/// </summary>
internal static class PythonText
{
    /// <summary>
    /// Python's <c>str.isspace</c> (which <c>\s</c> of the <c>re</c> module also uses for str patterns):
    /// bidirectional class WS, B or S, or general category Zs. Unlike .NET's char.IsWhiteSpace this includes
    /// U+001C..U+001F; like it, it excludes U+200B ZERO WIDTH SPACE.
    /// </summary>
    public static bool IsSpace(char c) => c switch
    {
        >= '\t' and <= '\r' => true,
        >= '\u001C' and <= '\u001F' => true,
        ' ' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    /// <summary><c>re.sub(r'\s+', ' ', text).strip()</c>: CLIP's <c>whitespace_clean</c>.</summary>
    public static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (char c in text)
        {
            if (IsSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// <c>str.lower()</c>: the full lowercase mapping of Unicode SpecialCasing.txt, whose only unconditional
    /// multi-character entry is U+0130 (to "i̇"), and the Final_Sigma rule for U+03A3 (Unicode 15, 3.13
    /// "Default Case Algorithms"); everything else is the simple mapping.
    /// </summary>
    public static string Lower(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\u0130')
            {
                sb.Append("i\u0307");
            }
            else if (c == '\u03A3')
            {
                sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var rune = Rune.ToLowerInvariant(new Rune(c, text[i + 1]));
                sb.Append(rune.ToString());
                i++;
            }
            else
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }
        return sb.ToString();
    }

    // Final_Sigma: preceded by a cased letter and not followed by one (case-ignorable marks skipped).
    private static bool IsFinalSigma(string text, int index)
    {
        int before = index - 1;
        while (before >= 0 && IsCaseIgnorable(text[before]))
            before--;
        if (before < 0 || !IsCased(text[before]))
            return false;
        int after = index + 1;
        while (after < text.Length && IsCaseIgnorable(text[after]))
            after++;
        return after >= text.Length || !IsCased(text[after]);
    }

    private static bool IsCased(char c) => char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) => char.GetUnicodeCategory(c) is
        System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark
        or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.ModifierLetter
        or System.Globalization.UnicodeCategory.ModifierSymbol || c is '\'' or '.' or ':' or '\u00B7' or '\u2019';

    /// <summary>
    /// <c>str.upper()</c> for HTML entity values: the simple mapping plus the SpecialCasing.txt expansions
    /// that occur among entity values (ß, ŉ and the Latin ligatures U+FB00..U+FB04).
    /// </summary>
    public static string Upper(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            sb.Append(rune.Value switch
            {
                0x00DF => "SS",
                0x0149 => "\u02BCN",
                0xFB00 => "FF",
                0xFB01 => "FI",
                0xFB02 => "FL",
                0xFB03 => "FFI",
                0xFB04 => "FFL",
                _ => Rune.ToUpperInvariant(rune).ToString(),
            });
        }
        return sb.ToString();
    }
}
