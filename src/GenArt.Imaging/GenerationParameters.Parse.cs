using System.Globalization;
using System.Numerics;
using System.Text;

namespace GenArt.Imaging;

public sealed partial record GenerationParameters
{
    /// <summary>
    /// Reads a <c>parameters</c> text written by <see cref="ToA1111Text"/> or by WebUI: the last line holds the
    /// <c>Key: value</c> pairs, a line starting "Negative prompt: " starts the negative prompt, and everything
    /// before is the prompt. Pairs other than the standard ones land in <see cref="Extra"/>.
    /// </summary>
    /// <exception cref="FormatException">The text lacks Steps, Sampler, CFG scale, Seed or Size, or a value is malformed.</exception>
    public static GenerationParameters ParseA1111(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2)
            throw new FormatException("A1111 parameters need the prompt and a settings line.");
        var pairs = ParsePairs(lines[^1]);

        var promptLines = new List<string>();
        List<string>? negativeLines = null;
        foreach (var line in lines[..^1])
        {
            if (negativeLines is null && line.StartsWith("Negative prompt: ", StringComparison.Ordinal))
                negativeLines = [line["Negative prompt: ".Length..]];
            else
                (negativeLines ?? promptLines).Add(line);
        }

        string Take(string key) => pairs.Remove(key, out var value)
            ? value
            : throw new FormatException($"A1111 parameters lack '{key}'.");
        T Number<T>(string key) where T : INumber<T>
        {
            string raw = Take(key);
            return T.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new FormatException($"A1111 parameter '{key}' is not a number: '{raw}'.");
        }

        int steps = Number<int>("Steps");
        string sampler = Take("Sampler");
        double cfg = Number<double>("CFG scale");
        long seed = Number<long>("Seed");
        string size = Take("Size");
        var dims = size.Split('x');
        if (dims.Length != 2 || !int.TryParse(dims[0], CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(dims[1], CultureInfo.InvariantCulture, out int height))
            throw new FormatException($"A1111 parameter 'Size' must be WIDTHxHEIGHT, got '{size}'.");
        string? model = pairs.Remove("Model", out var m) ? m : null;

        return new GenerationParameters
        {
            Prompt = string.Join('\n', promptLines),
            NegativePrompt = negativeLines is null ? null : string.Join('\n', negativeLines),
            Steps = steps,
            Sampler = sampler,
            CfgScale = cfg,
            Seed = seed,
            Width = width,
            Height = height,
            Model = model,
            Extra = pairs.ToList(),
        };
    }

    // "Key: value, Key: "quoted, value", ..." in order; a quoted value is a JSON string literal.
    private static OrderedDictionary<string, string> ParsePairs(string line)
    {
        var pairs = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && line[i] == ' ')
                i++;
            int colon = line.IndexOf(": ", i, StringComparison.Ordinal);
            if (colon < 0)
                throw new FormatException($"A1111 settings line has text without 'Key: value' at column {i}: '{line[i..]}'.");
            string key = line[i..colon];
            i = colon + 2;
            string value;
            if (i < line.Length && line[i] == '"')
            {
                value = ReadJsonString(line, ref i);
            }
            else
            {
                int comma = line.IndexOf(',', i);
                int end = comma < 0 ? line.Length : comma;
                value = line[i..end].Trim();
                i = end;
            }
            pairs[key] = value;
            while (i < line.Length && line[i] == ' ')
                i++;
            if (i < line.Length)
            {
                if (line[i] != ',')
                    throw new FormatException($"A1111 settings line expects ',' after '{key}' at column {i}.");
                i++;
            }
        }
        return pairs;
    }

    private static string ReadJsonString(string line, ref int i)
    {
        var sb = new StringBuilder();
        int start = i++;
        while (i < line.Length)
        {
            char c = line[i++];
            if (c == '"')
                return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (i >= line.Length)
                break;
            char e = line[i++];
            switch (e)
            {
                case '"' or '\\' or '/': sb.Append(e); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when i + 4 <= line.Length && ushort.TryParse(line.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort unit):
                    sb.Append((char)unit);
                    i += 4;
                    break;
                default:
                    throw new FormatException($"A1111 settings line has a bad escape '\\{e}' in the quoted value at column {start}.");
            }
        }
        throw new FormatException($"A1111 settings line has an unterminated quoted value at column {start}.");
    }
}
