using System.Text;
using System.Text.Json;
using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

/// <summary>
/// The tokenizer's merge loop against a direct transcription of CLIP's round-based BPE rule (lowest-ranked pair,
/// all occurrences left to right, repeat), on many generated words beyond the 60 goldens.
/// </summary>
[TestFixture]
public class BpeReferenceTests
{
    private static readonly Lazy<(Dictionary<(string, string), int> Ranks, Dictionary<string, int> Vocab)> Tables = new(() =>
    {
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder, "vocab.json")))!;
        var ranks = new Dictionary<(string, string), int>();
        foreach (var line in File.ReadLines(Path.Combine(TokenizerFixtures.Folder, "merges.txt")).Skip(1))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2)
                ranks.TryAdd((parts[0], parts[1]), ranks.Count);
        }
        return (ranks, vocab);
    });

    [Test]
    public void Generated_words_match_the_round_based_rule()
    {
        var tokenizer = new ClipTokenizer(TokenizerFixtures.Vocabulary(VocabSource.VocabJsonAndMerges));
        const string alphabet = "abcdefghijklmnopqrstuvwxyzéèàüößçñ";
        var random = new Random(1234);
        var words = new List<string> { new('a', 3000), new('z', 257), string.Concat(Enumerable.Repeat("ab", 400)), "!!!!!!!!!!!!!!!!!!!", "......,,,,;;;;" };
        for (int i = 0; i < 3000; i++)
        {
            int length = random.Next(1, 24);
            words.Add(new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
        }
        var failures = words.Where(w => !tokenizer.Encode(w).SequenceEqual(Reference(w))).Take(5).ToList();
        Assert.That(failures, Is.Empty);
    }

    private static int[] Reference(string word)
    {
        var (ranks, vocab) = Tables.Value;
        var byteChars = ByteChars();
        var symbols = Encoding.UTF8.GetBytes(word).Select(b => byteChars[b].ToString()).ToList();
        symbols[^1] += "</w>";
        while (symbols.Count > 1)
        {
            var best = Enumerable.Range(0, symbols.Count - 1)
                .Select(i => (Pair: (symbols[i], symbols[i + 1]), Rank: ranks.GetValueOrDefault((symbols[i], symbols[i + 1]), int.MaxValue)))
                .MinBy(p => p.Rank);
            if (best.Rank == int.MaxValue)
                break;
            var merged = new List<string>();
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && (symbols[i], symbols[i + 1]) == best.Pair)
                {
                    merged.Add(symbols[i] + symbols[i + 1]);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }
        return symbols.Select(s => vocab[s]).ToArray();
    }

    // GPT-2/CLIP byte characters: printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards.
    private static char[] ByteChars()
    {
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + next++);
        }
        return map;
    }
}
