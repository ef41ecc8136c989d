using System.Text.Json;

namespace GenArt.Diffusion.Tokenization;

public sealed partial class ClipTokenizer
{
    /// <summary>
    /// Loads a diffusers <c>tokenizer/</c> folder: <c>vocab.json</c>, <c>merges.txt</c>, and the pad token and
    /// <c>model_max_length</c> from <c>tokenizer_config.json</c> (overridden by <c>special_tokens_map.json</c>,
    /// as transformers reads them). Unless <paramref name="options"/> says otherwise, special tokens are handled
    /// as transformers does, which is what diffusers pipelines get (so an SD 2.x pad token <c>!</c> is special).
    /// </summary>
    public static ClipTokenizer FromDiffusersFolder(string folder, ClipTokenizerOptions? options = null)
    {
        var vocabulary = ClipVocabulary.FromFolder(folder);
        if (options is not null)
            return new ClipTokenizer(vocabulary, options);

        string? pad = null;
        int maxLength = 77;
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(configPath))
        {
            using var doc = ParseJson(configPath);
            pad = ReadTokenString(doc.RootElement, "pad_token", configPath) ?? pad;
            if (doc.RootElement.TryGetProperty("model_max_length", out var len))
            {
                // transformers writes a huge sentinel (int(1e30)) when no limit was configured.
                if (len.ValueKind != JsonValueKind.Number)
                    throw new FormatException($"{configPath}: model_max_length must be a number.");
                if (len.TryGetInt32(out int value) && value is >= 2 and <= 1_000_000)
                    maxLength = value;
            }
        }
        string mapPath = Path.Combine(folder, "special_tokens_map.json");
        if (File.Exists(mapPath))
        {
            using var doc = ParseJson(mapPath);
            pad = ReadTokenString(doc.RootElement, "pad_token", mapPath) ?? pad;
        }

        return new ClipTokenizer(vocabulary, new ClipTokenizerOptions
        {
            MaxLength = maxLength,
            PadToken = pad ?? ClipTokenizerOptions.StableDiffusion1.PadToken,
            SpecialTokens = SpecialTokenHandling.HuggingFace,
        });
    }

    /// <summary>Loads openai/CLIP's <c>bpe_simple_vocab_16e6.txt.gz</c>; options default to SD 1.x.</summary>
    public static ClipTokenizer FromOpenAiBpeGz(string path, ClipTokenizerOptions? options = null) =>
        new(ClipVocabulary.FromOpenAiBpeGz(path), options);

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: invalid JSON ({e.Message}).", e);
        }
    }

    // A special token is written either as a string or as an AddedToken object with "content".
    private static string? ReadTokenString(JsonElement root, string name, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                => content.GetString(),
            _ => throw new FormatException($"{path}: {name} must be a string or an object with a string \"content\"."),
        };
    }
}
