using System.Text.Json;
using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

/// <summary>The reference goldens of case 4 (tests/fixtures/tokenizer, copied from shared/golden).</summary>
internal static class TokenizerFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");

    public static string GzPath => Path.Combine(Folder, "bpe_simple_vocab_16e6.txt.gz");

    private static readonly Lazy<IReadOnlyList<TokenizerCase>> LazyCases = new(LoadCases);
    private static readonly Lazy<ClipVocabulary> LazyHfVocab = new(() => ClipVocabulary.FromFolder(Folder));
    private static readonly Lazy<ClipVocabulary> LazyGzVocab = new(() => ClipVocabulary.FromOpenAiBpeGz(GzPath));

    public static IReadOnlyList<TokenizerCase> Cases => LazyCases.Value;

    public static ClipVocabulary Vocabulary(VocabSource source) =>
        source == VocabSource.VocabJsonAndMerges ? LazyHfVocab.Value : LazyGzVocab.Value;

    private static IReadOnlyList<TokenizerCase> LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "tokenizer_cases.json")));
        var cases = new List<TokenizerCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            static int[] Ids(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32()).ToArray();
            cases.Add(new TokenizerCase(
                c.GetProperty("index").GetInt32(),
                c.GetProperty("category").GetString()!,
                c.GetProperty("text").GetString()!,
                Ids(c, "bpe_ids"),
                c.GetProperty("truncated").GetBoolean(),
                Ids(c, "ids_sd1_77"),
                Ids(c, "ids_sd2_77"),
                Ids(c, "hf_clip_tokenizer_sd1_77"),
                Ids(c, "hf_clip_tokenizer_sd2_77"),
                c.GetProperty("decoded_openai").GetString()!));
        }
        return cases;
    }
}

public enum VocabSource
{
    VocabJsonAndMerges,
    OpenAiGz,
}

internal sealed record TokenizerCase(
    int Index,
    string Category,
    string Text,
    int[] BpeIds,
    bool Truncated,
    int[] IdsSd1,
    int[] IdsSd2,
    int[] HfIdsSd1,
    int[] HfIdsSd2,
    string DecodedOpenAi);
