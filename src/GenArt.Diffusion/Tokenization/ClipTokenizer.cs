using System.Text;
using GenArt.Diffusion.Tokenization.Internal;

namespace GenArt.Diffusion.Tokenization;

/// <summary>
/// CLIP's byte-level BPE tokenizer with the text cleanup of openai/CLIP <c>simple_tokenizer.py</c>
/// (and transformers' <c>CLIPTokenizer</c>, selectable through <see cref="ClipTokenizerOptions.SpecialTokens"/>).
/// </summary>
/// <remarks>
/// <para>Pipeline for a prompt: ftfy-style repair (<see cref="ClipTextCleaner"/>), then the CLIP
/// pre-tokenization pattern, then per piece: its UTF-8 bytes mapped to CLIP's byte characters, the last
/// symbol marked with <c>&lt;/w&gt;</c>, and BPE merges applied lowest rank first until none applies.</para>
/// <para>Unicode normalization (NFC, and NFKC for fullwidth forms) needs ICU: a host built with
/// <c>InvariantGlobalization=true</c> cannot run this tokenizer, and the constructor says so.</para>
/// <para>Instances are immutable apart from a thread-safe BPE cache, so one can serve all threads.</para>
/// </remarks>
public sealed partial class ClipTokenizer
{
    private readonly int _padId;
    private readonly string[] _addedTokens;

    public ClipTokenizer(ClipVocabulary vocabulary, ClipTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= ClipTokenizerOptions.StableDiffusion1;
        EnsureNormalizationAvailable();
        if (options.MaxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, "MaxLength must be at least 2 (start and end tokens).");
        if (!vocabulary.TryGetId(options.PadToken, out _padId))
            throw new ArgumentException($"PadToken '{options.PadToken}' is not in the vocabulary {vocabulary.Source}.", nameof(options));
        Vocabulary = vocabulary;
        Options = options;
        _addedTokens = new[] { ClipPreTokenizer.StartOfText, ClipPreTokenizer.EndOfText, options.PadToken }
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length)
            .ToArray();
    }

    public ClipVocabulary Vocabulary { get; }

    public ClipTokenizerOptions Options { get; }

    public int StartOfTextId => Vocabulary.StartOfTextId;

    public int EndOfTextId => Vocabulary.EndOfTextId;

    public int PadTokenId => _padId;

    /// <summary>
    /// Content token ids of a prompt, without start/end tokens, padding or truncation
    /// (openai/CLIP <c>SimpleTokenizer.encode</c> in <see cref="SpecialTokenHandling.OpenAiClip"/> mode).
    /// </summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        if (Options.SpecialTokens == SpecialTokenHandling.OpenAiClip)
        {
            EncodeCleaned(ClipTextCleaner.CleanOpenAi(text), ids);
            return ids.ToArray();
        }
        foreach (var (piece, special) in SplitOnAddedTokens(text))
        {
            if (special)
                ids.Add(Vocabulary.TryGetId(piece, out int id) ? id : EndOfTextId);
            else
                EncodeCleaned(ClipTextCleaner.CleanHuggingFace(piece), ids);
        }
        return ids.ToArray();
    }

    /// <summary>
    /// The fixed-length sequence the text encoder takes: start token, content, end token, padding. A prompt
    /// longer than <c>MaxLength - 2</c> tokens keeps its first tokens and reports what was dropped
    /// (the last position always holds the end token, as in <c>clip.tokenize(truncate=True)</c>).
    /// </summary>
    public TokenizedPrompt Tokenize(string text)
    {
        var content = Encode(text);
        int capacity = Options.MaxLength - 2;
        int kept = Math.Min(content.Length, capacity);
        var ids = new int[Options.MaxLength];
        ids[0] = StartOfTextId;
        Array.Copy(content, 0, ids, 1, kept);
        ids[kept + 1] = EndOfTextId;
        for (int i = kept + 2; i < ids.Length; i++)
            ids[i] = _padId;
        return new TokenizedPrompt(ids, kept, content.Length - kept, kept + 1);
    }

    /// <summary>
    /// Text of a token sequence as openai/CLIP decodes it: byte characters back to UTF-8 (invalid sequences
    /// become U+FFFD) and every <c>&lt;/w&gt;</c> becomes a space.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            string token = Vocabulary.GetToken(id)
                ?? throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is not in the vocabulary ({Vocabulary.Count} ids).");
            foreach (char c in token)
            {
                if (!ByteLevel.TryGetByte(c, out byte b))
                    throw new FormatException($"Token {id} '{token}' holds '{c}', which is not a byte-level character.");
                bytes.Add(b);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace("</w>", " ", StringComparison.Ordinal);
    }

    // transformers' added-token split: leftmost, longest match of a special token, exactly as written.
    private IEnumerable<(string Piece, bool Special)> SplitOnAddedTokens(string text)
    {
        int start = 0;
        int i = 0;
        while (i < text.Length)
        {
            string? match = null;
            foreach (var token in _addedTokens)
            {
                if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0 && i + token.Length <= text.Length)
                {
                    match = token;
                    break;
                }
            }
            if (match is null)
            {
                i++;
                continue;
            }
            if (i > start)
                yield return (text[start..i], false);
            yield return (match, true);
            i += match.Length;
            start = i;
        }
        if (start < text.Length)
            yield return (text[start..], false);
    }

    private static void EnsureNormalizationAvailable()
    {
        if ("e\u0301".Normalize(NormalizationForm.FormC) != "\u00E9")
        {
            throw new PlatformNotSupportedException(
                "ClipTokenizer needs Unicode normalization, which is unavailable with InvariantGlobalization=true; " +
                "set <InvariantGlobalization>false</InvariantGlobalization> in the host project and install libicu.");
        }
    }
}
