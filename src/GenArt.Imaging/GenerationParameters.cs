using System.Globalization;
using System.Text;

namespace GenArt.Imaging;

/// <summary>
/// The settings of one generated image, formatted as the <c>parameters</c> text of AUTOMATIC1111's WebUI so that
/// tools that read those PNGs (WebUI's "PNG Info", civitai, image browsers) show them.
/// </summary>
/// <remarks>
/// Layout: the prompt; a line <c>Negative prompt: ...</c> when there is one; then one line of
/// <c>Key: value</c> pairs separated by ", ". A value holding ',', ':' or a newline is written as a JSON
/// string, which is how WebUI quotes such values so that its parser can split the line.
/// </remarks>
public sealed partial record GenerationParameters
{
    public required string Prompt { get; init; }

    public string? NegativePrompt { get; init; }

    public required int Steps { get; init; }

    public required string Sampler { get; init; }

    public required double CfgScale { get; init; }

    public required long Seed { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public string? Model { get; init; }

    /// <summary>More pairs appended after the standard ones, in order (e.g. "Clip skip", "Lora hashes").</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    public string ToA1111Text()
    {
        if (Steps <= 0)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be positive.");
        if (Width <= 0 || Height <= 0)
            throw new ArgumentOutOfRangeException(nameof(Width), $"{Width}x{Height}", "Size must be positive.");
        if (string.IsNullOrWhiteSpace(Sampler))
            throw new ArgumentException("Sampler must be named.", nameof(Sampler));
        if (!double.IsFinite(CfgScale))
            throw new ArgumentOutOfRangeException(nameof(CfgScale), CfgScale, "CFG scale must be a finite number.");

        var sb = new StringBuilder();
        sb.Append(Prompt ?? throw new ArgumentNullException(nameof(Prompt)));
        if (!string.IsNullOrEmpty(NegativePrompt))
            sb.Append("\nNegative prompt: ").Append(NegativePrompt);
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("Steps", Steps.ToString(CultureInfo.InvariantCulture)),
            new("Sampler", Sampler),
            new("CFG scale", CfgScale.ToString("R", CultureInfo.InvariantCulture)),
            new("Seed", Seed.ToString(CultureInfo.InvariantCulture)),
            new("Size", $"{Width}x{Height}"),
        };
        if (!string.IsNullOrEmpty(Model))
            pairs.Add(new("Model", Model));
        pairs.AddRange(Extra);
        sb.Append('\n').AppendJoin(", ", pairs.Select(p => $"{p.Key}: {Quote(p.Value)}"));
        return sb.ToString();
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', ':', '\n']) < 0 ? value : JsonString(value);

    // A JSON string literal as Python's json.dumps writes it (ensure_ascii): '"', '\\' and controls escaped,
    // everything outside ASCII as \uXXXX (UTF-16 units).
    private static string JsonString(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
