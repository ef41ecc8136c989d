using System.Buffers.Binary;

namespace GenArt.Procedural.Tests;

public class DatasetTests
{
    [Test]
    public void SplitsNeverOverlap()
    {
        Assert.That(Dataset.SplitOf(Dataset.TrainingSeed(0)), Is.EqualTo(DatasetSplit.Training));
        Assert.That(Dataset.SplitOf(Dataset.TrainingSeed(long.MaxValue)), Is.EqualTo(DatasetSplit.Training));
        Assert.That(Dataset.SplitOf(Dataset.HeldOutSeed(0)), Is.EqualTo(DatasetSplit.HeldOut));
        Assert.That(Dataset.SplitOf(Dataset.HeldOutSeed(long.MaxValue)), Is.EqualTo(DatasetSplit.HeldOut));
        Assert.That(Dataset.TrainingSeed(long.MaxValue), Is.LessThan(Dataset.HeldOutSeed(0)));
        var training = Enumerable.Range(0, 10000).Select(i => Dataset.TrainingSeed(i)).ToHashSet();
        var heldOut = Enumerable.Range(0, 10000).Select(i => Dataset.HeldOutSeed(i)).ToHashSet();
        Assert.That(training.Overlaps(heldOut), Is.False);
        Assert.That(training, Has.Count.EqualTo(10000));
        Assert.That(heldOut, Has.Count.EqualTo(10000));
    }

    [Test]
    public void HeldOutImagesAreNotTrainingImages()
    {
        var trainingHashes = Enumerable.Range(0, 300).Select(i => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Dataset.Sample(Dataset.TrainingSeed(i)).Image.Pixels))).ToHashSet();
        for (int i = 0; i < 300; i++)
        {
            var sample = Dataset.Sample(Dataset.HeldOutSeed(i));
            Assert.That(sample.Split, Is.EqualTo(DatasetSplit.HeldOut));
            Assert.That(trainingHashes, Does.Not.Contain(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(sample.Image.Pixels))));
        }
    }

    [Test]
    public void SamplesAreConsistentAndValid()
    {
        for (ulong seed = 0; seed < 3000; seed++)
        {
            var scene = Dataset.SceneOf(seed);
            Assert.That(scene.Validate(), Is.Null, scene.ToString());
            Assert.That(scene.Foreground, Is.Not.EqualTo(scene.Background));
        }
        var sample = Dataset.Sample(17, paraphrase: false);
        Assert.That(sample.Caption, Is.EqualTo(Captioner.Caption(sample.Scene)));
        Assert.That(Scene.TryParse(Dataset.Sample(17).Caption, out var parsed) && parsed == sample.Scene, Is.True);
    }

    [Test]
    public void SceneSpaceIsCoveredEvenly()
    {
        var shapes = new int[Enum.GetValues<ShapeKind>().Length];
        var colors = new int[Palette.All.Count];
        var layouts = new HashSet<(Layout, int)>();
        for (ulong seed = 0; seed < 12000; seed++)
        {
            var scene = Dataset.SceneOf(seed);
            shapes[(int)scene.Shape]++;
            colors[(int)scene.Foreground]++;
            layouts.Add((scene.Layout, scene.Count));
        }
        Assert.That(shapes, Has.All.InRange(1000, 1400));
        Assert.That(colors, Has.All.InRange(800, 1200));
        int combinations = Enum.GetValues<Layout>().Sum(l => Scene.CountsFor(l).Count);
        Assert.That(layouts, Has.Count.EqualTo(combinations));
    }

    [Test]
    public void ContactSheetLaysOutImagesInCaptionOrder()
    {
        var samples = Enumerable.Range(0, 5).Select(i => Dataset.Sample(Dataset.HeldOutSeed(i), 32)).ToList();
        var sheet = ContactSheet.Compose(samples.Select(s => s.Image).ToList(), columns: 3, padding: 2);
        Assert.That((sheet.Width, sheet.Height), Is.EqualTo((3 * 32 + 4 * 2, 2 * 32 + 3 * 2)));
        // The fifth image is the second of the second row.
        var expected = samples[4].Image.GetPixel(5, 7).ToArray();
        Assert.That(sheet.GetPixel(2 + 32 + 2 + 5, 2 + 32 + 2 + 7).ToArray(), Is.EqualTo(expected));

        string path = Path.Combine(Path.GetTempPath(), "genart-sheet-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            ContactSheet.Save(path, samples, 3);
            sheet = ContactSheet.Compose(samples.Select(s => s.Image).ToList(), columns: 3);
            // PNG signature, then IHDR's big-endian width and height.
            var png = File.ReadAllBytes(path);
            Assert.That(png[..8], Is.EqualTo(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }));
            Assert.That((BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))), Is.EqualTo((sheet.Width, sheet.Height)));
            var lines = File.ReadAllLines(Path.ChangeExtension(path, ".txt"));
            Assert.That(lines, Has.Length.EqualTo(5));
            Assert.That(lines[4], Is.EqualTo($"4\t{samples[4].Seed}\t{samples[4].Caption}"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(Path.ChangeExtension(path, ".txt"));
        }
    }
}
