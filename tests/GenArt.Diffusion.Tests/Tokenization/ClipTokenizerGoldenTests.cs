using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

/// <summary>Every case of the tokenizer goldens, from both vocabulary sources, for all five id layouts.</summary>
[TestFixture]
public class ClipTokenizerGoldenTests
{
    private const int CaseCount = 60;

    public static IEnumerable<TestCaseData> AllCases()
    {
        foreach (var source in new[] { VocabSource.VocabJsonAndMerges, VocabSource.OpenAiGz })
        {
            for (int i = 0; i < CaseCount; i++)
                yield return new TestCaseData(source, i).SetName($"Golden_{source}_{i:D2}");
        }
    }

    [Test]
    public void Fixture_has_all_sixty_cases()
    {
        Assert.That(TokenizerFixtures.Cases, Has.Count.EqualTo(CaseCount));
    }

    [TestCaseSource(nameof(AllCases))]
    public void Matches_reference_ids(VocabSource source, int index)
    {
        var c = TokenizerFixtures.Cases[index];
        var vocab = TokenizerFixtures.Vocabulary(source);
        var openAiSd1 = new ClipTokenizer(vocab, ClipTokenizerOptions.StableDiffusion1);
        var openAiSd2 = new ClipTokenizer(vocab, new ClipTokenizerOptions { PadToken = "!" });
        var hfSd1 = new ClipTokenizer(vocab, new ClipTokenizerOptions { SpecialTokens = SpecialTokenHandling.HuggingFace });
        var hfSd2 = new ClipTokenizer(vocab, ClipTokenizerOptions.StableDiffusion2);

        var sd1 = openAiSd1.Tokenize(c.Text);
        Assert.Multiple(() =>
        {
            Assert.That(openAiSd1.Encode(c.Text), Is.EqualTo(c.BpeIds), $"bpe_ids of {c.Category} case {c.Index}");
            Assert.That(sd1.Ids, Is.EqualTo(c.IdsSd1), "ids_sd1_77");
            Assert.That(sd1.Truncated, Is.EqualTo(c.Truncated), "truncated flag");
            Assert.That(sd1.DroppedTokenCount, Is.EqualTo(Math.Max(0, c.BpeIds.Length - 75)), "dropped token count");
            Assert.That(openAiSd2.Tokenize(c.Text).Ids, Is.EqualTo(c.IdsSd2), "ids_sd2_77");
            Assert.That(hfSd1.Tokenize(c.Text).Ids, Is.EqualTo(c.HfIdsSd1), "hf_clip_tokenizer_sd1_77");
            Assert.That(hfSd2.Tokenize(c.Text).Ids, Is.EqualTo(c.HfIdsSd2), "hf_clip_tokenizer_sd2_77");
        });
    }

    [TestCaseSource(nameof(AllCases))]
    public void Decodes_like_reference(VocabSource source, int index)
    {
        var c = TokenizerFixtures.Cases[index];
        var tokenizer = new ClipTokenizer(TokenizerFixtures.Vocabulary(source));
        Assert.That(tokenizer.Decode(c.BpeIds), Is.EqualTo(c.DecodedOpenAi));
    }
}
