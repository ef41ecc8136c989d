using System.IO.Compression;
using GenArt.Diffusion.Tokenization;

namespace GenArt.Diffusion.Tests.Tokenization;

[TestFixture]
public class ClipVocabularyTests
{
    [Test]
    public void Both_sources_build_identical_tables()
    {
        var json = TokenizerFixtures.Vocabulary(VocabSource.VocabJsonAndMerges);
        var gz = TokenizerFixtures.Vocabulary(VocabSource.OpenAiGz);
        Assert.Multiple(() =>
        {
            Assert.That(json.Count, Is.EqualTo(49408));
            Assert.That(gz.Count, Is.EqualTo(49408));
            Assert.That(json.MergeCount, Is.EqualTo(ClipVocabulary.ClipMergeCount));
            Assert.That(gz.MergeCount, Is.EqualTo(ClipVocabulary.ClipMergeCount));
            Assert.That(json.StartOfTextId, Is.EqualTo(49406));
            Assert.That(json.EndOfTextId, Is.EqualTo(49407));
            Assert.That(gz.StartOfTextId, Is.EqualTo(49406));
            Assert.That(gz.EndOfTextId, Is.EqualTo(49407));
        });
        var differing = Enumerable.Range(0, 49408).Where(id => json.GetToken(id) != gz.GetToken(id)).Take(5).ToList();
        Assert.That(differing, Is.Empty, "ids whose token differs between vocab.json and the .gz");
    }

    [Test]
    public void Malformed_merge_line_is_reported_with_its_line_number()
    {
        string dir = TempFolder();
        File.Copy(Path.Combine(TokenizerFixtures.Folder, "vocab.json"), Path.Combine(dir, "vocab.json"));
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\ni n\nthisisnotamerge\n");
        var e = Assert.Throws<FormatException>(() => ClipVocabulary.FromFolder(dir));
        Assert.That(e!.Message, Does.Contain("line 3").And.Contain("thisisnotamerge"));
    }

    [Test]
    public void Vocabulary_without_special_tokens_is_refused()
    {
        string dir = TempFolder();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), "{\"a\": 0, \"<|startoftext|>\": 1}");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n");
        var e = Assert.Throws<FormatException>(() => ClipVocabulary.FromFolder(dir));
        Assert.That(e!.Message, Does.Contain("<|endoftext|>"));
    }

    [Test]
    public void Vocab_json_that_is_not_an_object_is_refused()
    {
        string dir = TempFolder();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), "[1, 2, 3]");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n");
        var e = Assert.Throws<FormatException>(() => ClipVocabulary.FromFolder(dir));
        Assert.That(e!.Message, Does.Contain("vocab.json"));
    }

    [Test]
    public void Non_gzip_and_short_gzip_files_are_refused()
    {
        string dir = TempFolder();
        string notGz = Path.Combine(dir, "plain.txt.gz");
        File.WriteAllText(notGz, "not compressed at all");
        string shortGz = Path.Combine(dir, "short.txt.gz");
        using (var gz = new GZipStream(File.Create(shortGz), CompressionLevel.Fastest))
            gz.Write("header\ni n\n"u8);

        var e1 = Assert.Throws<FormatException>(() => ClipVocabulary.FromOpenAiBpeGz(notGz));
        var e2 = Assert.Throws<FormatException>(() => ClipVocabulary.FromOpenAiBpeGz(shortGz));
        Assert.Multiple(() =>
        {
            Assert.That(e1!.Message, Does.Contain("plain.txt.gz").And.Contain("gzip"));
            Assert.That(e2!.Message, Does.Contain("48894"));
        });
    }

    internal static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "genart-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
