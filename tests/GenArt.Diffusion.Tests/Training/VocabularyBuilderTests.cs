using GenArt.Diffusion.Tokenization;
using GenArt.Diffusion.Training;
using GenArt.Procedural;

namespace GenArt.Diffusion.Tests.Training;

public sealed class VocabularyBuilderTests
{
    private static readonly string[] Captions = Enumerable.Range(0, 1000)
        .Select(i => Dataset.TrainingSeed(i))
        .Select(seed => Captioner.Paraphrase(Dataset.SceneOf(seed), seed))
        .ToArray();

    private static readonly Lazy<(VocabularyBuilder.Result Fit, ClipTokenizer Tokenizer)> Fitted = new(() =>
    {
        var fit = VocabularyBuilder.Fit(Captions, maxMerges: 400);
        string folder = Directory.CreateTempSubdirectory("genart-vocab-test-").FullName;
        try
        {
            fit.Save(folder, maxLength: 32);
            return (fit, ClipTokenizer.FromDiffusersFolder(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    });

    [Test]
    public void TheVocabularyIsBytesMergesAndSpecialTokensAndStaysSmall()
    {
        var (fit, tokenizer) = Fitted.Value;
        Assert.Multiple(() =>
        {
            Assert.That(fit.Vocab, Has.Count.EqualTo(512 + fit.Merges.Count + 2));
            Assert.That(fit.Merges, Has.Count.InRange(50, 400));
            Assert.That(tokenizer.Vocabulary.Count, Is.LessThan(1000));
            Assert.That(tokenizer.StartOfTextId, Is.EqualTo(fit.Vocab.Count - 2));
            Assert.That(tokenizer.EndOfTextId, Is.EqualTo(fit.Vocab.Count - 1));
            Assert.That(tokenizer.Options.MaxLength, Is.EqualTo(32));
            Assert.That(tokenizer.PadTokenId, Is.EqualTo(tokenizer.EndOfTextId));
        });
    }

    [Test]
    public void EveryCaptionTokenizesWithinTheSequenceAndRoundTrips()
    {
        var tokenizer = Fitted.Value.Tokenizer;
        foreach (var caption in Captions)
        {
            var ids = tokenizer.Encode(caption);
            Assert.That(ids, Has.All.InRange(0, tokenizer.Vocabulary.Count - 3), caption);
            Assert.That(ids.Length, Is.LessThanOrEqualTo(tokenizer.Options.MaxLength - 2), caption);
            // CLIP decoding puts a space after every word piece ("two-tone" comes back "two - tone"), which
            // encodes to the same ids again.
            string decoded = tokenizer.Decode(ids);
            Assert.That(decoded.Replace(" ", ""), Is.EqualTo(ClipTextCleaner.CleanHuggingFace(caption).Replace(" ", "")), caption);
            Assert.That(tokenizer.Encode(decoded), Is.EqualTo(ids), caption);
            Assert.That(tokenizer.Tokenize(caption).DroppedTokenCount, Is.Zero, caption);
        }
    }

    [Test]
    public void EveryGrammarWordIsOneOrAFewTokens()
    {
        var tokenizer = Fitted.Value.Tokenizer;
        var lengths = Grammar.Vocabulary.ToDictionary(w => w, w => tokenizer.Encode(w).Length);
        Assert.Multiple(() =>
        {
            Assert.That(lengths.Values, Has.All.InRange(1, 3), string.Join(", ", lengths.Where(kv => kv.Value > 3).Select(kv => kv.Key)));
            Assert.That(lengths.Count(kv => kv.Value == 1), Is.GreaterThan(lengths.Count * 3 / 4), "most words are single tokens");
        });
    }

    [Test]
    public void FittingIsDeterministic()
    {
        var again = VocabularyBuilder.Fit(Captions, maxMerges: 400);
        Assert.That(again.Merges, Is.EqualTo(Fitted.Value.Fit.Merges));
    }
}
