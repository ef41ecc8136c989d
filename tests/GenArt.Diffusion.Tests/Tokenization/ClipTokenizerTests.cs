using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

[TestFixture]
public class ClipTokenizerTests
{
    private static ClipTokenizer Sd1() => new(TokenizerFixtures.Vocabulary(VocabSource.VocabJsonAndMerges));

    [Test]
    public void Diffusers_folder_with_sd1_pad_token_pads_with_end_token()
    {
        var tokenizer = ClipTokenizer.FromDiffusersFolder(TokenizerFixtures.Folder);
        Assert.Multiple(() =>
        {
            Assert.That(tokenizer.PadTokenId, Is.EqualTo(49407));
            Assert.That(tokenizer.Options.MaxLength, Is.EqualTo(77));
            Assert.That(tokenizer.Options.SpecialTokens, Is.EqualTo(SpecialTokenHandling.HuggingFace));
            Assert.That(tokenizer.Tokenize("a").Ids, Is.EqualTo(new[] { 49406, 320 }.Concat(Enumerable.Repeat(49407, 75))));
        });
    }

    [Test]
    public void Diffusers_folder_with_bang_pad_token_behaves_like_sd2_pipelines()
    {
        string dir = ClipVocabularyTests.TempFolder();
        File.Copy(Path.Combine(TokenizerFixtures.Folder, "vocab.json"), Path.Combine(dir, "vocab.json"));
        File.Copy(Path.Combine(TokenizerFixtures.Folder, "merges.txt"), Path.Combine(dir, "merges.txt"));
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"pad_token\": \"!\", \"model_max_length\": 77}");
        File.WriteAllText(Path.Combine(dir, "special_tokens_map.json"),
            "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false, \"normalized\": false, \"rstrip\": false, \"single_word\": false}}");

        var tokenizer = ClipTokenizer.FromDiffusersFolder(dir);
        var case4 = TokenizerFixtures.Cases[4];
        Assert.Multiple(() =>
        {
            Assert.That(tokenizer.PadTokenId, Is.EqualTo(0));
            Assert.That(tokenizer.Tokenize(case4.Text).Ids, Is.EqualTo(case4.HfIdsSd2));
            Assert.That(tokenizer.Tokenize(case4.Text).Ids, Does.Contain(0).And.Not.Contain(256));
        });
    }

    [Test]
    public void Long_prompt_reports_dropped_tokens_and_ends_with_end_token()
    {
        var c = TokenizerFixtures.Cases.Single(x => x.BpeIds.Length == 100);
        var result = Sd1().Tokenize(c.Text);
        Assert.Multiple(() =>
        {
            Assert.That(result.Truncated, Is.True);
            Assert.That(result.DroppedTokenCount, Is.EqualTo(25));
            Assert.That(result.ContentTokenCount, Is.EqualTo(75));
            Assert.That(result.EndIndex, Is.EqualTo(76));
            Assert.That(result.Ids[76], Is.EqualTo(49407));
            Assert.That(result.Ids[1..76], Is.EqualTo(c.BpeIds[..75]));
        });
    }

    [Test]
    public void Prompt_of_exactly_75_tokens_is_not_truncated()
    {
        var c = TokenizerFixtures.Cases.Single(x => x.Category == "boundary_75");
        var result = Sd1().Tokenize(c.Text);
        Assert.Multiple(() =>
        {
            Assert.That(result.Truncated, Is.False);
            Assert.That(result.EndIndex, Is.EqualTo(76));
        });
    }

    [Test]
    public void Custom_max_length_is_honoured()
    {
        var tokenizer = new ClipTokenizer(TokenizerFixtures.Vocabulary(VocabSource.OpenAiGz), new ClipTokenizerOptions { MaxLength = 5 });
        var result = tokenizer.Tokenize("a photograph of an astronaut");
        Assert.Multiple(() =>
        {
            Assert.That(result.Ids, Is.EqualTo(new[] { 49406, 320, 8853, 539, 49407 }));
            Assert.That(result.DroppedTokenCount, Is.EqualTo(2));
        });
    }

    [Test]
    public void Invalid_options_are_refused_naming_the_setting()
    {
        var vocab = TokenizerFixtures.Vocabulary(VocabSource.OpenAiGz);
        var e1 = Assert.Throws<ArgumentException>(() => new ClipTokenizer(vocab, new ClipTokenizerOptions { PadToken = "<pad>" }));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => new ClipTokenizer(vocab, new ClipTokenizerOptions { MaxLength = 1 }));
        Assert.Multiple(() =>
        {
            Assert.That(e1!.Message, Does.Contain("PadToken").And.Contain("<pad>"));
            Assert.That(e2!.Message, Does.Contain("MaxLength"));
        });
    }

    [Test]
    public void Decoding_an_unknown_id_names_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Sd1().Decode([320, 49408]));
        Assert.That(e!.Message, Does.Contain("49408"));
    }

    [Test]
    public void Repeated_encoding_from_many_threads_agrees()
    {
        var tokenizer = Sd1();
        var texts = TokenizerFixtures.Cases.Select(c => c.Text).ToArray();
        var expected = TokenizerFixtures.Cases.Select(c => c.BpeIds).ToArray();
        var results = new int[texts.Length * 4][];
        Parallel.For(0, results.Length, i => results[i] = tokenizer.Encode(texts[i % texts.Length]));
        for (int i = 0; i < results.Length; i++)
            Assert.That(results[i], Is.EqualTo(expected[i % texts.Length]), $"case {i % texts.Length}");
    }
}
