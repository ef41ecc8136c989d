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

    /// <summary>
    /// BPE of one pre-token. CLIP's reference repeatedly takes the lowest-ranked adjacent pair and merges all its
    /// occurrences left to right. The same result comes from a priority queue of (rank, position) over a linked
    /// list of symbols: pairs of equal rank are merged leftmost first, an occurrence overlapping a merged one is
    /// stale by then, and a pair created by a merge always ranks after the merge that created its parts. This
    /// keeps very long words at O(n log n) instead of quadratic.
    /// </summary>
    private int[] BytePairEncode(string piece)
    {
        var utf8 = Encoding.UTF8.GetBytes(piece);
        int n = utf8.Length;
        var symbols = new string[n];
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++)
        {
            symbols[i] = ByteLevel.ByteToChar[utf8[i]].ToString();
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        symbols[n - 1] += "</w>";

        var ranks = Vocabulary.MergeRanks;
        var queue = new PriorityQueue<int, (int Rank, int Position)>();
        void Consider(int left)
        {
            if (left >= 0 && next[left] >= 0 && ranks.TryGetValue((symbols[left], symbols[next[left]]), out int rank))
                queue.Enqueue(left, (rank, left));
        }
        for (int i = 0; i + 1 < n; i++)
            Consider(i);

        while (queue.TryDequeue(out int left, out var key))
        {
            // Skip entries made stale by an earlier merge: the symbol was absorbed or its pair changed.
            if (symbols[left] is null || next[left] < 0)
                continue;
            int right = next[left];
            if (!ranks.TryGetValue((symbols[left], symbols[right]), out int rank) || rank != key.Rank)
                continue;

            symbols[left] += symbols[right];
            symbols[right] = null!;
            next[left] = next[right];
            if (next[right] >= 0)
                prev[next[right]] = left;
            Consider(prev[left]);
            Consider(left);
        }

        var result = new List<int>();
        for (int i = 0; i >= 0; i = next[i])
        {
            // transformers maps a symbol missing from the vocabulary to its unknown token, <|endoftext|>.
            result.Add(Vocabulary.TryGetId(symbols[i], out int id) ? id : EndOfTextId);
        }
        return result.ToArray();
    }
}
