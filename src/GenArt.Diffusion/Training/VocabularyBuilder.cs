using System.Text;
using System.Text.Json;
using GenArt.Diffusion.Tokenization;
using GenArt.Diffusion.Tokenization.Internal;

namespace GenArt.Diffusion.Training;

/// <summary>
/// Learns a CLIP-style byte-level BPE vocabulary from a caption corpus: the 256 byte symbols, the same with
/// <c>&lt;/w&gt;</c>, one token per learned merge, and the two special tokens, in the order openai/CLIP builds its
/// own, so <see cref="ClipTokenizer"/> reads the result like any CLIP <c>vocab.json</c> + <c>merges.txt</c>.
/// </summary>
/// <remarks>
/// A vocabulary fitted to a small closed grammar stays a few hundred merges large, which keeps the text encoder's
/// embedding table (vocab × hidden) a small part of the model instead of CLIP's 49,408 rows.
/// </remarks>
public static class VocabularyBuilder
{
    /// <summary>The fitted tables: token to id, and merges in rank order.</summary>
    public sealed record Result(IReadOnlyDictionary<string, int> Vocab, IReadOnlyList<(string First, string Second)> Merges)
    {
        /// <summary>Writes <c>vocab.json</c>, <c>merges.txt</c> and a <c>tokenizer_config.json</c> (sequence length
        /// <paramref name="maxLength"/>, pad = end of text as in SD 1.x) into <paramref name="folder"/>.</summary>
        public void Save(string folder, int maxLength = 77)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(Vocab.OrderBy(kv => kv.Value).ToDictionary(kv => kv.Key, kv => kv.Value)));
            var merges = new StringBuilder("#version: 0.2\n");
            foreach (var (a, b) in Merges) merges.Append(a).Append(' ').Append(b).Append('\n');
            File.WriteAllText(Path.Combine(folder, "merges.txt"), merges.ToString());
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["model_max_length"] = maxLength,
                ["pad_token"] = ClipPreTokenizer.EndOfText,
                ["bos_token"] = ClipPreTokenizer.StartOfText,
                ["eos_token"] = ClipPreTokenizer.EndOfText,
                ["unk_token"] = ClipPreTokenizer.EndOfText,
                ["tokenizer_class"] = "CLIPTokenizer",
            }));
        }

        public ClipVocabulary ToVocabulary()
        {
            string folder = Directory.CreateTempSubdirectory("genart-vocab-").FullName;
            try
            {
                Save(folder);
                return ClipVocabulary.FromFolder(folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Fits up to <paramref name="maxMerges"/> merges, each the most frequent adjacent symbol pair over the corpus's
    /// words (ties broken by ordinal order, so the result depends only on the corpus), stopping early when no pair
    /// occurs at least <paramref name="minCount"/> times.
    /// </summary>
    public static Result Fit(IEnumerable<string> captions, int maxMerges = 400, int minCount = 2)
    {
        ArgumentNullException.ThrowIfNull(captions);
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var caption in captions)
            foreach (var word in ClipPreTokenizer.Split(ClipTextCleaner.CleanHuggingFace(caption)))
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;

        var words = wordCounts.Select(kv => (Symbols: ToSymbols(kv.Key), Count: kv.Value)).ToList();
        var merges = new List<(string, string)>();
        while (merges.Count < maxMerges)
        {
            var pairCounts = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairCounts[(symbols[i], symbols[i + 1])] = pairCounts.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairCounts.Count == 0) break;
            var best = pairCounts
                .OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal)
                .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                .First();
            if (best.Value < minCount) break;
            merges.Add(best.Key);
            foreach (var (symbols, _) in words) MergeInPlace(symbols, best.Key);
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string token) => vocab.TryAdd(token, vocab.Count);
        foreach (char c in ByteLevel.VocabularyOrder) Add(c.ToString());
        foreach (char c in ByteLevel.VocabularyOrder) Add(c + "</w>");
        foreach (var (a, b) in merges) Add(a + b);
        Add(ClipPreTokenizer.StartOfText);
        Add(ClipPreTokenizer.EndOfText);
        return new Result(vocab, merges);
    }

    // A word as CLIP's BPE starts it: one symbol per UTF-8 byte (byte-level characters), the last marked </w>.
    private static List<string> ToSymbols(string word)
    {
        var symbols = Encoding.UTF8.GetBytes(word).Select(b => ByteLevel.ByteToChar[b].ToString()).ToList();
        symbols[^1] += "</w>";
        return symbols;
    }

    private static void MergeInPlace(List<string> symbols, (string First, string Second) pair)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] != pair.First || symbols[i + 1] != pair.Second) continue;
            symbols[i] = pair.First + pair.Second;
            symbols.RemoveAt(i + 1);
        }
    }
}
