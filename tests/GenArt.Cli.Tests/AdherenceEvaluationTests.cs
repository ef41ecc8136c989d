using GenArt.Cli;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tests;
using GenArt.Procedural;

namespace GenArt.Cli.Tests;

public class AdherenceEvaluationTests
{
    private static string GoldenModel => Path.Combine(RepoPaths.Fixtures, "golden", "pipeline");

    [Test]
    public void RendersHeldOutPromptsAndScoresEachAgainstItsPrompt()
    {
        using var model = StableDiffusionModel.Load(GoldenModel);
        var pipeline = new StableDiffusionPipeline(model);
        var options = new AdherenceEvaluation.Options(Count: 5, Steps: 2, Scheduler: "ddim", Batch: 2);
        var progress = new List<int>();
        var (report, items) = AdherenceEvaluation.Run(pipeline, options, (done, _) => progress.Add(done));

        Assert.That(report.Total, Is.EqualTo(5));
        Assert.That(progress, Is.EqualTo(new[] { 2, 4, 5 }), "batches of 2, the last one short");
        Assert.That(items.Select(i => Dataset.SplitOf(i.Seed)), Has.All.EqualTo(DatasetSplit.HeldOut));
        Assert.That(items.Select(i => i.Prompt), Is.EqualTo(Enumerable.Range(0, 5).Select(i => Dataset.Sample(Dataset.HeldOutSeed(i)).Caption)));
        Assert.That(items.Select(i => (i.Image.Width, i.Image.Height)), Has.All.EqualTo((128, 128)));
        // Each score is the analytic scorer's verdict on that image against that prompt's scene.
        var again = AdherenceScorer.Score(items[3].Image, items[3].Score.Expected);
        var first = items[3].Score;
        Assert.That((again.Background, again.Foreground, again.Shape, again.Count), Is.EqualTo((first.Background, first.Foreground, first.Shape, first.Count)));
        Assert.That(again.Observed.Count, Is.EqualTo(first.Observed.Count));
        Assert.That(report.BackgroundCorrect, Is.EqualTo(items.Count(i => i.Score.Background)));

        var (repeat, _) = AdherenceEvaluation.Run(pipeline, options);
        Assert.That(repeat.ToString(), Is.EqualTo(report.ToString()), "the same model and options score the same");
    }

    [Test]
    public void TheVaeRoundTripScoresEachHeldOutImageAfterItsOwnEncodeAndDecode()
    {
        using var model = StableDiffusionModel.Load(GoldenModel);
        var progress = new List<int>();
        var (report, items) = AdherenceEvaluation.RunVaeRoundTrip(model, 3, (done, _) => progress.Add(done));

        Assert.That(report.Total, Is.EqualTo(3));
        Assert.That(progress, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(items.Select(i => i.Prompt), Is.EqualTo(Enumerable.Range(0, 3).Select(i => Dataset.Sample(Dataset.HeldOutSeed(i)).Caption)));
        var original = Dataset.Sample(Dataset.HeldOutSeed(1), 128).Image;
        Assert.That(items[1].Image.Pixels, Is.Not.EqualTo(original.Pixels), "the golden VAE is not lossless: what is scored went through it");
        // A second, shorter run reconstructs image 1 the same way.
        var (_, second) = AdherenceEvaluation.RunVaeRoundTrip(model, 2);
        Assert.That(second[1].Image.Pixels, Is.EqualTo(items[1].Image.Pixels));
        Assert.That(report.BackgroundCorrect, Is.EqualTo(items.Count(i => i.Score.Background)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdherenceEvaluation.RunVaeRoundTrip(model, 0));
    }

    [Test]
    public void MissesAreWrittenWithWhatWasAskedAndSeenAndHitsAreNot()
    {
        using var model = StableDiffusionModel.Load(GoldenModel);
        var (_, roundTripped) = AdherenceEvaluation.RunVaeRoundTrip(model, 3);
        var clean = Dataset.Sample(Dataset.HeldOutSeed(7), 128);
        var hit = new AdherenceItem(clean.Seed, clean.Caption, clean.Image, AdherenceScorer.Score(clean.Image, clean.Scene));
        Assert.That(hit.Score.All, Is.True, "a clean held-out image shows its prompt");
        var items = roundTripped.Prepend(hit).ToList();
        string folder = Directory.CreateTempSubdirectory("genart-misses-").FullName;
        try
        {
            int written = AdherenceEvaluation.WriteMisses(folder, items);
            var missed = Enumerable.Range(0, items.Count)
                .Where(n => !(items[n].Score.Background && items[n].Score.Foreground && items[n].Score.Shape && items[n].Score.Count)).ToList();
            Assert.That(missed, Is.Not.Empty.And.Not.Contains(0), "the untrained golden VAE garbles what it round-trips");
            Assert.That(written, Is.EqualTo(missed.Count));
            Assert.That(Directory.GetFiles(folder, "*.png").Select(Path.GetFileName).Order(), Is.EqualTo(missed.Select(n => $"{n:D3}.png")));
            var lines = File.ReadAllLines(Path.Combine(folder, "misses.txt"));
            Assert.That(lines.Select(l => l.Split('\t')[0]), Is.EqualTo(missed.Select(n => $"{n:D3}")));
            var first = lines[0].Split('\t');
            var item = items[missed[0]];
            Assert.That((first[1], first[2]), Is.EqualTo((item.Seed.ToString(), item.Prompt)));
            Assert.That(first[3], Does.StartWith("seen: ").And.Contain($" on {item.Score.Observed.Background.ToString().ToLowerInvariant()}, ["));
            var png = GenArt.Imaging.ImageDecoder.DecodeFile(Path.Combine(folder, $"{missed[0]:D3}.png"));
            Assert.That(png.Pixels, Is.EqualTo(item.Image.Pixels));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void RefusesNonPositiveCounts()
    {
        using var model = StableDiffusionModel.Load(GoldenModel);
        var pipeline = new StableDiffusionPipeline(model);
        Assert.Throws<ArgumentOutOfRangeException>(() => AdherenceEvaluation.Run(pipeline, new AdherenceEvaluation.Options(Count: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdherenceEvaluation.Run(pipeline, new AdherenceEvaluation.Options(Batch: 0)));
    }
}
