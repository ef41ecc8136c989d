using System.Globalization;
using System.Text;

namespace GenArt.Diffusion.Tokenization.Internal;

/// <summary>
/// Two flavours of HTML character-reference decoding that CLIP's text cleanup depends on.
/// </summary>
/// <remarks>
/// <para><see cref="UnescapeLenient"/> follows Python's <c>html.unescape</c>, which the CLIP reference
/// (openai/CLIP <c>simple_tokenizer.basic_clean</c>) applies twice: every named reference of the HTML5
/// table, the legacy names also without a semicolon (longest prefix wins), and numeric references with
/// the replacements of WHATWG HTML 13.2.5.80 ("Numeric character reference end state").</para>
/// <para><see cref="UnescapeStrict"/> follows ftfy's <c>unescape_html</c> fixer: only references that
/// end in a semicolon and are at most 24 alphanumerics long, plus all-caps spellings of lowercase
/// names (ftfy decodes "&amp;EACUTE;" as "É").</para>
/// </remarks>
internal static class HtmlUnescaper
{
    private static readonly Dictionary<string, string> Named = new(StringComparer.Ordinal);
    private static readonly HashSet<string> Legacy = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, string> StrictNamed = new(StringComparer.Ordinal);

    // WHATWG HTML 13.2.5.80: C1 references are read as Windows-1252, &#0; and &#13; have fixed results.
    private static readonly Dictionary<int, string> ReplacedCharRefs = BuildReplacedCharRefs();

    static HtmlUnescaper()
    {
        foreach (var entry in HtmlEntityData.Entries.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            string name = entry[..eq];
            bool legacy = name.EndsWith('*');
            if (legacy)
                name = name[..^1];
            var value = new StringBuilder();
            foreach (var hex in entry[(eq + 1)..].Split('+'))
                value.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            Named[name] = value.ToString();
            if (legacy)
                Legacy.Add(name);
        }

        foreach (var (name, value) in Named)
        {
            StrictNamed["&" + name + ";"] = value;
        }

        // ftfy also decodes an all-caps spelling of a lowercase name, when that spelling means nothing
        // to html.unescape itself, to the uppercase of the character.
        foreach (var (name, value) in Named)
        {
            if (name != name.ToLowerInvariant())
                continue;
            string upper = "&" + name.ToUpperInvariant() + ";";
            if (StrictNamed.ContainsKey(upper) || UnescapeLenient(upper) != upper)
                continue;
            StrictNamed[upper] = PythonText.Upper(value);
        }
    }

    /// <summary>Python <c>html.unescape</c> semantics.</summary>
    public static string UnescapeLenient(string text)
    {
        if (!text.Contains('&'))
            return text;
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '&' || i + 1 >= text.Length)
            {
                sb.Append(c);
                i++;
                continue;
            }
            int consumed = TryLenientReference(text, i + 1, sb);
            if (consumed == 0)
            {
                sb.Append('&');
                i++;
            }
            else
            {
                i += 1 + consumed;
            }
        }
        return sb.ToString();
    }

    // Returns how many characters after '&' were consumed (0 when nothing matched).
    private static int TryLenientReference(string text, int start, StringBuilder sb)
    {
        if (text[start] == '#')
        {
            int p = start + 1;
            bool hex = p < text.Length && (text[p] == 'x' || text[p] == 'X');
            if (hex)
                p++;
            int digitsStart = p;
            while (p < text.Length && (hex ? Uri.IsHexDigit(text[p]) : char.IsAsciiDigit(text[p])))
                p++;
            if (p == digitsStart)
                return 0;
            long value = 0;
            for (int k = digitsStart; k < p; k++)
            {
                char digit = text[k];
                int d = char.IsAsciiDigit(digit) ? digit - '0' : (digit | 0x20) - 'a' + 10;
                value = Math.Min(value * (hex ? 16 : 10) + d, 0x7FFFFFFF);
            }
            if (p < text.Length && text[p] == ';')
                p++;
            sb.Append(NumericReference(value));
            return p - start;
        }

        // A name is up to 32 characters other than tab, newline, form feed, space, '<', '&', '#', ';'.
        int q = start;
        while (q < text.Length && q - start < 32 && "\t\n\f <&#;".IndexOf(text[q]) < 0)
            q++;
        if (q == start)
            return 0;
        bool semicolon = q < text.Length && text[q] == ';';
        string s = text.Substring(start, q - start);
        if (semicolon && Named.TryGetValue(s, out var full))
        {
            sb.Append(full);
            return q + 1 - start;
        }
        if (!semicolon && Legacy.Contains(s))
        {
            sb.Append(Named[s]);
            return q - start;
        }
        // Longest legacy prefix of at least two characters, the rest kept verbatim.
        string sWithSemi = semicolon ? s + ";" : s;
        for (int len = sWithSemi.Length - 1; len >= 2; len--)
        {
            string prefix = sWithSemi[..len];
            if (Legacy.Contains(prefix))
            {
                sb.Append(Named[prefix]).Append(sWithSemi, len, sWithSemi.Length - len);
                return sWithSemi.Length;
            }
        }
        sb.Append('&').Append(sWithSemi);
        return sWithSemi.Length;
    }

    private static string NumericReference(long value)
    {
        if (ReplacedCharRefs.TryGetValue((int)value, out var replaced))
            return replaced;
        if (value is >= 0xD800 and <= 0xDFFF || value > 0x10FFFF)
            return "\uFFFD";
        if (IsDroppedCodePoint((int)value))
            return "";
        return char.ConvertFromUtf32((int)value);
    }

    // Control characters and noncharacters that html.unescape drops.
    private static bool IsDroppedCodePoint(int cp) =>
        cp is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or >= 0x7F and <= 0x9F or >= 0xFDD0 and <= 0xFDEF
        || (cp & 0xFFFE) == 0xFFFE;

    private static Dictionary<int, string> BuildReplacedCharRefs()
    {
        var map = new Dictionary<int, string> { [0] = "\uFFFD", [13] = "\r" };
        for (int b = 0x80; b <= 0x9F; b++)
            map[b] = Windows1252.Decode((byte)b).ToString();
        return map;
    }

    /// <summary>ftfy <c>unescape_html</c> semantics: <c>&amp;#?[0-9A-Za-z]{1,24};</c> references only.</summary>
    public static string UnescapeStrict(string text)
    {
        if (!text.Contains('&'))
            return text;
        var sb = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '&' && TryStrictReference(text, i, out int end, out string? value))
            {
                sb.Append(value);
                i = end;
            }
            else
            {
                sb.Append(text[i]);
                i++;
            }
        }
        return sb.ToString();
    }

    private static bool TryStrictReference(string text, int amp, out int end, out string? value)
    {
        end = amp;
        value = null;
        int p = amp + 1;
        if (p < text.Length && text[p] == '#')
            p++;
        int bodyStart = p;
        while (p < text.Length && p - bodyStart < 24 && char.IsAsciiLetterOrDigit(text[p]))
            p++;
        if (p == bodyStart || p >= text.Length || text[p] != ';')
            return false;
        string reference = text.Substring(amp, p + 1 - amp);
        end = p + 1;
        if (StrictNamed.TryGetValue(reference, out var named))
        {
            value = named;
            return true;
        }
        if (reference.StartsWith("&#", StringComparison.Ordinal))
        {
            string decoded = UnescapeLenient(reference);
            // A numeric reference that html.unescape only partly consumed stays as written.
            if (decoded.Contains(';'))
                return false;
            value = decoded;
            return true;
        }
        return false;
    }
}
