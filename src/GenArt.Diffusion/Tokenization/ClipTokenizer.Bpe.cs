using System.Collections.Concurrent;
using System.Text;
using GenArt.Diffusion.Tokenization.Internal;

namespace GenArt.Diffusion.Tokenization;

public sealed partial class ClipTokenizer
{
    // Prompts repeat the same words; caching the ids per piece skips the merge loop for them.
    private const int MaxCacheEntries = 65536;
    private readonly ConcurrentDictionary<string, int[]> _bpeCache = new(StringComparer.Ordinal);

    private void EncodeCleaned(string cleaned, List<int> ids)
    {
        foreach (var piece in ClipPreTokenizer.Split(cleaned))
        {
            if (piece == ClipPreTokenizer.StartOfText || piece == ClipPreTokenizer.EndOfText)
            {
                ids.Add(piece == ClipPreTokenizer.StartOfText ? StartOfTextId : EndOfTextId);
                continue;
            }
            if (!_bpeCache.TryGetValue(piece, out var pieceIds))
            {
                pieceIds = BytePairEncode(piece);
                if (_bpeCache.Count >= MaxCacheEntries)
                    _bpeCache.Clear();
                _bpeCache.TryAdd(piece, pieceIds);
            }
            ids.AddRange(pieceIds);
        }
    }

    private int[] BytePairEncode(string piece)
    {
        var utf8 = Encoding.UTF8.GetBytes(piece);
        var symbols = new List<string>(utf8.Length);
        foreach (byte b in utf8)
            symbols.Add(ByteLevel.ByteToChar[b].ToString());
        symbols[^1] += "</w>";

        var ranks = Vocabulary.MergeRanks;
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue;
            (string, string) best = default;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = (symbols[i], symbols[i + 1]);
                }
            }
            if (bestRank == int.MaxValue)
                break;

            // Merge every occurrence of the best pair, scanning left to right without overlaps.
            var merged = new List<string>(symbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && symbols[i] == best.Item1 && symbols[i + 1] == best.Item2)
                {
                    merged.Add(best.Item1 + best.Item2);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }
            symbols = merged;
        }

        var result = new int[symbols.Count];
        for (int i = 0; i < symbols.Count; i++)
        {
            // transformers maps a symbol missing from the vocabulary to its unknown token, <|endoftext|>.
            result[i] = Vocabulary.TryGetId(symbols[i], out int id) ? id : EndOfTextId;
        }
        return result;
    }
}
