using System.Text;

namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// The parts of ftfy 6.3 <c>fix_text</c> (default configuration) that matter for prompts, applied in ftfy's
/// order and repeated until the text stops changing, one line at a time.
/// </summary>
/// <remarks>
/// <para>Steps, per ftfy's documented fixers: unescape HTML references (skipped from the first line that
/// holds a literal '&lt;', ftfy's <c>unescape_html="auto"</c>); repair UTF-8 that was decoded as
/// Windows-1252/Latin-1 ("cafÃ©" to "café"); read leftover C1 controls as Windows-1252; split Latin
/// ligatures; replace halfwidth/fullwidth forms and U+3000 by their NFKC forms; uncurl quotes; unify line
/// breaks; replace unpaired surrogates with U+FFFD; strip ANSI terminal escapes; drop unintended control
/// characters; NFC.</para>
/// <para>The mojibake repair is narrower than ftfy's, which weighs whole-string re-decodings with a
/// "badness" score: here a run of characters that spell well-formed multi-byte UTF-8 in Windows-1252 is
/// decoded when it is a 3- or 4-byte sequence, a 2-byte sequence led by Â or Ã (U+0080..U+00FF, by far the
/// most common case), or part of a run of at least two sequences. This leaves legitimate Latin text
/// alone ("Straße“" keeps its ß) while fixing the mojibake found in prompts.</para>
/// </remarks>
internal static class TextFixer
{
    private static readonly Dictionary<char, string> Ligatures = new()
    {
        ['\u0132'] = "IJ", ['\u0133'] = "ij", ['\u0149'] = "\u02BCn",
        ['\u01F1'] = "DZ", ['\u01F2'] = "Dz", ['\u01F3'] = "dz",
        ['\u01C4'] = "D\u017D", ['\u01C5'] = "D\u017E", ['\u01C6'] = "d\u017E",
        ['\u01C7'] = "LJ", ['\u01C8'] = "Lj", ['\u01C9'] = "lj",
        ['\u01CA'] = "NJ", ['\u01CB'] = "Nj", ['\u01CC'] = "nj",
        ['\uFB00'] = "ff", ['\uFB01'] = "fi", ['\uFB02'] = "fl",
        ['\uFB03'] = "ffi", ['\uFB04'] = "ffl", ['\uFB05'] = "\u017Ft", ['\uFB06'] = "st",
    };

    private static readonly Dictionary<char, string> WidthMap = BuildWidthMap();

    public static string FixText(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool unescapeHtml = true;
        int pos = 0;
        while (pos < text.Length)
        {
            int lineEnd = text.IndexOf('\n', pos);
            lineEnd = lineEnd < 0 ? text.Length : lineEnd + 1;
            string segment = text[pos..lineEnd];
            // ftfy turns HTML unescaping off for this and every later line once a line looks like HTML.
            if (unescapeHtml && segment.Contains('<'))
                unescapeHtml = false;
            sb.Append(FixSegment(segment, unescapeHtml));
            pos = lineEnd;
        }
        return sb.ToString();
    }

    // ftfy repeats until nothing changes; every pass that changes text shortens mojibake or expands a
    // ligature once, so real text settles in two or three passes. The cap only guards against a cycle.
    private const int MaxPasses = 16;

    private static string FixSegment(string text, bool unescapeHtml)
    {
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            string original = text;
            if (unescapeHtml)
                text = HtmlUnescaper.UnescapeStrict(text);
            text = FixMojibake(text);
            text = FixC1Controls(text);
            text = Translate(text, Ligatures);
            text = Translate(text, WidthMap);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = RemoveTerminalEscapes(text);
            text = RemoveControlChars(text);
            text = text.Normalize(NormalizationForm.FormC);
            if (text == original)
                return text;
        }
        return text;
    }

    private static string FixMojibake(string text)
    {
        StringBuilder? sb = null;
        int i = 0;
        int copied = 0;
        while (i < text.Length)
        {
            int runEnd = i;
            int sequences = 0;
            bool strong = false;
            while (TryUtf8Sequence(text, runEnd, out int length, out bool strongSequence))
            {
                runEnd += length;
                sequences++;
                strong |= strongSequence;
            }
            if (sequences > 0 && (strong || sequences >= 2))
            {
                var bytes = new byte[runEnd - i];
                for (int k = i; k < runEnd; k++)
                    Windows1252.TryEncode(text[k], out bytes[k - i]);
                sb ??= new StringBuilder(text.Length);
                sb.Append(text, copied, i - copied).Append(Encoding.UTF8.GetString(bytes));
                copied = runEnd;
                i = runEnd;
            }
            else
            {
                i++;
            }
        }
        if (sb is null)
            return text;
        sb.Append(text, copied, text.Length - copied);
        return sb.ToString();
    }

    // One well-formed UTF-8 multi-byte sequence (RFC 3629, section 4) spelled in Windows-1252 characters.
    private static bool TryUtf8Sequence(string text, int start, out int length, out bool strong)
    {
        length = 0;
        strong = false;
        if (start >= text.Length || !Windows1252.TryEncode(text[start], out byte lead))
            return false;
        int count = lead switch
        {
            >= 0xC2 and <= 0xDF => 2,
            >= 0xE0 and <= 0xEF => 3,
            >= 0xF0 and <= 0xF4 => 4,
            _ => 0,
        };
        if (count == 0 || start + count > text.Length)
            return false;
        Span<byte> bytes = stackalloc byte[4];
        bytes[0] = lead;
        for (int k = 1; k < count; k++)
        {
            if (!Windows1252.TryEncode(text[start + k], out bytes[k]) || bytes[k] is < 0x80 or > 0xBF)
                return false;
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        if ((lead == 0xE0 && bytes[1] < 0xA0) || (lead == 0xED && bytes[1] > 0x9F)
            || (lead == 0xF0 && bytes[1] < 0x90) || (lead == 0xF4 && bytes[1] > 0x8F))
            return false;
        length = count;
        strong = count > 2 || lead is 0xC2 or 0xC3;
        return true;
    }

    // ftfy fix_c1_controls: C1 controls left after the repair are read as Windows-1252.
    private static string FixC1Controls(string text)
    {
        if (!text.Any(c => c is >= '\u0080' and <= '\u009F'))
            return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= '\u0080' and <= '\u009F')
                chars[i] = Windows1252.Decode((byte)chars[i]);
        }
        return new string(chars);
    }

    private static string Translate(string text, Dictionary<char, string> map)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            if (map.TryGetValue(text[i], out var replacement))
            {
                sb ??= new StringBuilder(text.Length).Append(text, 0, i);
                sb.Append(replacement);
            }
            else
            {
                sb?.Append(text[i]);
            }
        }
        return sb?.ToString() ?? text;
    }

    // ftfy fix_character_width: U+3000 to a space, and every character of the Halfwidth and Fullwidth
    // Forms block (U+FF01..U+FFEF) that NFKC changes, to its NFKC form.
    private static Dictionary<char, string> BuildWidthMap()
    {
        var map = new Dictionary<char, string> { ['\u3000'] = " " };
        for (char c = '\uFF01'; c < '\uFFF0'; c++)
        {
            string s = c.ToString();
            string nfkc = s.Normalize(NormalizationForm.FormKC);
            if (nfkc != s)
                map[c] = nfkc;
        }
        return map;
    }

    // ftfy uncurl_quotes: U+02BC and U+2018..U+201B become "'", U+201C..U+201F become '"'.
    private static string UncurlQuotes(string text)
    {
        if (!text.Any(c => c is '\u02BC' or >= '\u2018' and <= '\u201F'))
            return text;
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = chars[i] switch
            {
                '\u02BC' or >= '\u2018' and <= '\u201B' => '\'',
                >= '\u201C' and <= '\u201F' => '"',
                var c => c,
            };
        }
        return new string(chars);
    }

    private static string FixLineBreaks(string text) =>
        text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    private static string FixSurrogates(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                sb ??= new StringBuilder(text.Length).Append(text, 0, i);
                sb.Append('\uFFFD');
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? text;
    }

    // ANSI escapes: ESC '[' then digits and ';' then one ASCII letter (ECMA-48 control sequences as ftfy sees them).
    private static string RemoveTerminalEscapes(string text)
    {
        if (!text.Contains('\u001B'))
            return text;
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\u001B' && i + 1 < text.Length && text[i + 1] == '[')
            {
                int p = i + 2;
                while (p < text.Length && (char.IsAsciiDigit(text[p]) || text[p] == ';'))
                    p++;
                if (p < text.Length && char.IsAsciiLetter(text[p]))
                {
                    i = p + 1;
                    continue;
                }
            }
            sb.Append(text[i]);
            i++;
        }
        return sb.ToString();
    }

    // ftfy remove_control_chars: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, U+206A..U+206F, U+FEFF,
    // U+FFF9..U+FFFC (Unicode TR20 "characters not suitable for use with markup"); tab, newline, form feed
    // and carriage return stay.
    private static string RemoveControlChars(string text)
    {
        static bool Drop(char c) => c is <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F'
            or >= '\u206A' and <= '\u206F' or '\uFEFF' or >= '\uFFF9' and <= '\uFFFC';
        if (!text.Any(Drop))
            return text;
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!Drop(c))
                sb.Append(c);
        }
        return sb.ToString();
    }
}
