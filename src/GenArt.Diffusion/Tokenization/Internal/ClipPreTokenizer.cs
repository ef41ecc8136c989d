using System.Globalization;
using System.Buffers;
using System.Text;

namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// CLIP's pre-tokenization pattern, matched left to right with the first alternative that fits winning:
/// <c>&lt;|startoftext|&gt;|&lt;|endoftext|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// (case-insensitive). Letters are taken as whole runs, every number character stands alone, and any
/// other run of non-space characters (punctuation, symbols, marks, emoji) is one piece.
/// </summary>
/// <remarks>
/// Written as a scanner over code points rather than a .NET <c>Regex</c>, because .NET classifies the two
/// halves of a surrogate pair separately, so a supplementary-plane letter (CJK Extension B, mathematical
/// alphanumerics) would not match <c>\p{L}</c>.
/// </remarks>
internal static class ClipPreTokenizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            int end = MatchAt(text, i);
            if (end > i)
            {
                pieces.Add(text[i..end]);
                i = end;
            }
            else
            {
                i++;
            }
        }
        return pieces;
    }

    // Returns the end of the match starting at i, or i when only whitespace is there.
    private static int MatchAt(string text, int i)
    {
        if (StartsWith(text, i, StartOfText))
            return i + StartOfText.Length;
        if (StartsWith(text, i, EndOfText))
            return i + EndOfText.Length;
        foreach (var contraction in Contractions)
        {
            if (StartsWith(text, i, contraction))
                return i + contraction.Length;
        }

        var kind = Classify(text, i, out int width);
        switch (kind)
        {
            case CharKind.Letter:
            {
                int p = i + width;
                while (p < text.Length && Classify(text, p, out int w) == CharKind.Letter)
                    p += w;
                return p;
            }
            case CharKind.Number:
                return i + width;
            case CharKind.Other:
            {
                int p = i + width;
                while (p < text.Length && Classify(text, p, out int w) == CharKind.Other)
                    p += w;
                return p;
            }
            default:
                return i;
        }
    }

    private static bool StartsWith(string text, int index, string value) =>
        string.Compare(text, index, value, 0, value.Length, StringComparison.OrdinalIgnoreCase) == 0
        && index + value.Length <= text.Length;

    private enum CharKind { Space, Letter, Number, Other }

    private static CharKind Classify(string text, int index, out int width)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out width) != OperationStatus.Done)
        {
            width = 1;
            return CharKind.Other;
        }
        if (rune.IsBmp && PythonText.IsSpace((char)rune.Value))
            return CharKind.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            _ => CharKind.Other,
        };
    }
}
