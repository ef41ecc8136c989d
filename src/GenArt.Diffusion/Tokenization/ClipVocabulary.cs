using System.IO.Compression;
using System.Text;
using System.Text.Json;
using GenArt.Diffusion.Tokenization.Internal;

namespace GenArt.Diffusion.Tokenization;

/// <summary>
/// The CLIP BPE tables: token strings to ids and the ranked merge list. Loads either the diffusers/transformers
/// layout (<c>vocab.json</c> + <c>merges.txt</c>) or openai/CLIP's <c>bpe_simple_vocab_16e6.txt.gz</c>; both
/// give identical tables for the released CLIP vocabulary.
/// </summary>
public sealed class ClipVocabulary
{
    /// <summary>Number of merges CLIP takes from its merge file: 49152 - 256 - 2.</summary>
    public const int ClipMergeCount = 48894;

    private readonly Dictionary<string, int> _encoder;
    private readonly string[] _decoder;

    private ClipVocabulary(Dictionary<string, int> encoder, IReadOnlyList<(string First, string Second)> merges, string source)
    {
        _encoder = encoder;
        int size = encoder.Count == 0 ? 0 : encoder.Values.Max() + 1;
        _decoder = new string[size];
        foreach (var (token, id) in encoder)
        {
            if (id < 0)
                throw new FormatException($"{source}: token '{token}' has a negative id {id}.");
            _decoder[id] = token;
        }
        MergeRanks = new Dictionary<(string, string), int>(merges.Count);
        for (int i = 0; i < merges.Count; i++)
            MergeRanks.TryAdd(merges[i], i);
        Source = source;
        StartOfTextId = RequireToken(ClipPreTokenizer.StartOfText);
        EndOfTextId = RequireToken(ClipPreTokenizer.EndOfText);
    }

    /// <summary>Where the tables came from, for error messages.</summary>
    public string Source { get; }

    /// <summary>Number of distinct ids (49408 for CLIP).</summary>
    public int Count => _encoder.Count;

    /// <summary>Id of <c>&lt;|startoftext|&gt;</c> (49406 for CLIP).</summary>
    public int StartOfTextId { get; }

    /// <summary>Id of <c>&lt;|endoftext|&gt;</c> (49407 for CLIP).</summary>
    public int EndOfTextId { get; }

    internal Dictionary<(string, string), int> MergeRanks { get; }

    /// <summary>Merges in rank order (rank = index).</summary>
    public int MergeCount => MergeRanks.Count;

    /// <summary>Id of a token string, if the vocabulary has it.</summary>
    public bool TryGetId(string token, out int id) => _encoder.TryGetValue(token, out id);

    /// <summary>Token string of an id, or null when the id is outside the vocabulary.</summary>
    public string? GetToken(int id) => id >= 0 && id < _decoder.Length ? _decoder[id] : null;

    private int RequireToken(string token) =>
        _encoder.TryGetValue(token, out int id)
            ? id
            : throw new FormatException($"{Source}: the vocabulary has no '{token}' token.");

    /// <summary>Loads <c>vocab.json</c> and <c>merges.txt</c> as written by transformers' CLIPTokenizer.</summary>
    public static ClipVocabulary FromFiles(string vocabJsonPath, string mergesTxtPath)
    {
        Dictionary<string, int> encoder;
        try
        {
            using var stream = File.OpenRead(vocabJsonPath);
            encoder = JsonSerializer.Deserialize<Dictionary<string, int>>(stream)
                ?? throw new FormatException($"{vocabJsonPath}: expected a JSON object of token to id.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{vocabJsonPath}: not a JSON object of token to id ({e.Message}).", e);
        }

        var lines = File.ReadAllText(mergesTxtPath, Encoding.UTF8).Split('\n');
        int first = lines.Length > 0 && lines[0].StartsWith("#version", StringComparison.Ordinal) ? 1 : 0;
        var merges = ParseMerges(lines.Skip(first), mergesTxtPath, first + 1, int.MaxValue);
        return new ClipVocabulary(encoder, merges, vocabJsonPath);
    }

    /// <summary>Loads a diffusers <c>tokenizer/</c> folder's <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    public static ClipVocabulary FromFolder(string folder) =>
        FromFiles(Path.Combine(folder, "vocab.json"), Path.Combine(folder, "merges.txt"));

    /// <summary>
    /// Loads openai/CLIP's gzip merge list. Line 0 is a header; lines 1..48894 are the merges. The vocabulary
    /// is then built as CLIP does: the 256 byte characters, the same each with <c>&lt;/w&gt;</c>, every merge
    /// concatenated in order, and the two special tokens.
    /// </summary>
    public static ClipVocabulary FromOpenAiBpeGz(string path)
    {
        string text;
        try
        {
            using var file = File.OpenRead(path);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new StreamReader(gz, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"{path}: not a gzip file ({e.Message}).", e);
        }
        var lines = text.Split('\n');
        if (lines.Length < ClipMergeCount + 1)
            throw new FormatException($"{path}: expected a header and {ClipMergeCount} merge lines, found {lines.Length - 1} lines.");
        var merges = ParseMerges(lines.Skip(1).Take(ClipMergeCount), path, 2, ClipMergeCount);

        var encoder = new Dictionary<string, int>(ClipMergeCount + 514);
        void Add(string token) => encoder.TryAdd(token, encoder.Count);
        foreach (char c in ByteLevel.VocabularyOrder)
            Add(c.ToString());
        foreach (char c in ByteLevel.VocabularyOrder)
            Add(c + "</w>");
        foreach (var (a, b) in merges)
            Add(a + b);
        Add(ClipPreTokenizer.StartOfText);
        Add(ClipPreTokenizer.EndOfText);
        return new ClipVocabulary(encoder, merges, path);
    }

    private static List<(string, string)> ParseMerges(IEnumerable<string> lines, string path, int firstLineNumber, int limit)
    {
        var merges = new List<(string, string)>();
        int lineNumber = firstLineNumber;
        foreach (var raw in lines)
        {
            string line = raw.TrimEnd('\r');
            if (line.Length > 0)
            {
                var parts = line.Split(' ');
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                    throw new FormatException($"{path}, line {lineNumber}: a merge must be two symbols separated by one space, got '{line}'.");
                merges.Add((parts[0], parts[1]));
                if (merges.Count == limit)
                    break;
            }
            lineNumber++;
        }
        return merges;
    }
}
