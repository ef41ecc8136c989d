namespace GenArt.Procedural.Tests;

public class CaptionTests
{
    [TestCase(NamedColor.Red, NamedColor.Blue, ShapeKind.Circle, 1, Layout.Center, FillStyle.Flat, BackgroundStyle.Plain, "a red circle on a blue background")]
    [TestCase(NamedColor.Yellow, NamedColor.Blue, ShapeKind.Star, 3, Layout.Row, FillStyle.Gradient, BackgroundStyle.Plain, "three yellow stars in a row on a blue background, gradient style")]
    [TestCase(NamedColor.Green, NamedColor.White, ShapeKind.Square, 2, Layout.Left, FillStyle.Outline, BackgroundStyle.Gradient, "two green squares on the left on a white gradient background, outline style")]
    [TestCase(NamedColor.Orange, NamedColor.Black, ShapeKind.Stripes, 1, Layout.Top, FillStyle.Flat, BackgroundStyle.TwoTone, "an orange stripe pattern at the top on a two-tone black background")]
    public void CanonicalCaptions(NamedColor fg, NamedColor bg, ShapeKind shape, int count, Layout layout, FillStyle style, BackgroundStyle bgStyle, string expected)
    {
        var scene = new Scene(bg, bgStyle, fg, shape, count, layout, style);
        Assert.That(Captioner.Caption(scene), Is.EqualTo(expected));
        Assert.That(Scene.TryParse(expected, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(scene));
    }

    [Test]
    public void ParaphrasesOfOneScene()
    {
        var scene = new Scene(NamedColor.Blue, BackgroundStyle.Gradient, NamedColor.Yellow, ShapeKind.Star, 3, Layout.Row, FillStyle.Gradient);
        Assert.That(Captioner.Caption(scene, 1), Is.EqualTo("a blue gradient background with three yellow stars in a row, gradient style"));
        Assert.That(Captioner.Caption(scene, 2), Is.EqualTo("a gradient illustration of three yellow stars in a row against a blue gradient background"));
        Assert.That(Captioner.Caption(scene, 3), Is.EqualTo("three yellow stars in a row, blue gradient background, gradient"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Captioner.Caption(scene, Captioner.TemplateCount));
    }

    [Test]
    public void EveryTemplateParsesBackForThousandsOfSeeds()
    {
        int checkedCaptions = 0;
        for (ulong seed = 0; seed < 3000; seed++)
        {
            var scene = Dataset.SceneOf(Dataset.HeldOutSeed((long)seed) ^ seed);
            for (int t = 0; t < Captioner.TemplateCount; t++)
            {
                string caption = Captioner.Caption(scene, t);
                Assert.That(Scene.TryParse(caption, out var parsed), Is.True, caption);
                Assert.That(parsed, Is.EqualTo(scene), caption);
                checkedCaptions++;
            }
        }
        Assert.That(checkedCaptions, Is.EqualTo(12000));
    }

    [Test]
    public void ParaphraseIsChosenBySeedAndUsesEveryTemplate()
    {
        var scene = Dataset.SceneOf(5);
        string first = Captioner.Paraphrase(scene, 5);
        Assert.That(Captioner.Paraphrase(scene, 5), Is.EqualTo(first));
        var used = Enumerable.Range(0, 200).Select(s => Captioner.Paraphrase(scene, (ulong)s)).Distinct().Count();
        Assert.That(used, Is.EqualTo(Captioner.TemplateCount));
    }

    [Test]
    public void VocabularyCoversExactlyTheWordsCaptionsUse()
    {
        var vocabulary = Grammar.Vocabulary.ToHashSet();
        var used = new HashSet<string>();
        for (ulong seed = 0; seed < 4000; seed++)
        {
            var sample = Dataset.SceneOf(seed);
            for (int t = 0; t < Captioner.TemplateCount; t++)
                used.UnionWith(Grammar.Tokenize(Captioner.Caption(sample, t)));
        }
        Assert.That(used.Except(vocabulary), Is.Empty, "words captions use that the vocabulary lacks");
        Assert.That(vocabulary.Except(used), Is.Empty, "vocabulary words no caption used");
        Assert.That(Grammar.Vocabulary, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        TestContext.Out.WriteLine($"{vocabulary.Count} words: {string.Join(" ", Grammar.Vocabulary)}");
    }

    [TestCase("A red circle on a blue background.", NamedColor.Red, NamedColor.Blue, ShapeKind.Circle, 1, Layout.Center, FillStyle.Flat)]
    [TestCase("two grey hearts", NamedColor.Gray, NamedColor.White, ShapeKind.Heart, 2, Layout.Row, FillStyle.Flat)]
    [TestCase("a white star", NamedColor.White, NamedColor.Black, ShapeKind.Star, 1, Layout.Center, FillStyle.Flat)]
    [TestCase("four cyan diamonds in a grid, outlined, on a pink background", NamedColor.Cyan, NamedColor.Pink, ShapeKind.Diamond, 4, Layout.Grid, FillStyle.Outline)]
    public void PlainPromptsTakeSensibleDefaults(string prompt, NamedColor fg, NamedColor bg, ShapeKind shape, int count, Layout layout, FillStyle style)
    {
        Assert.That(Scene.TryParse(prompt, out var scene), Is.True);
        Assert.That(scene, Is.EqualTo(new Scene(bg, BackgroundStyle.Plain, fg, shape, count, layout, style)));
    }

    [TestCase("")]
    [TestCase("a sunset over the sea")]
    [TestCase("a circle on a blue background")]
    [TestCase("a red circle on a red background")]
    [TestCase("three red circles in the center on a blue background")]
    [TestCase("a red ring on a blue background, outline style")]
    [TestCase("a red circle on a background")]
    public void RejectsPromptsOutsideTheSceneSpace(string prompt)
    {
        Assert.That(Scene.TryParse(prompt, out var scene), Is.False);
        Assert.That(scene, Is.Null);
    }
}
