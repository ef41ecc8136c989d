using GenArt.Diffusion.Training;
using GenArt.Diffusion.Training.FineTune;

namespace GenArt.Diffusion.Tests.Training.FineTune;

public sealed class TrainingSetFolderTests
{
    private string _folder = null!;

    [SetUp]
    public void MakeFolder() => _folder = Directory.CreateTempSubdirectory("genart-set-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private static TrainingExample Example(int size, byte shade, string caption)
    {
        var rgb = new byte[size * size * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(shade + i % 7);
        return new TrainingExample(rgb, size, caption);
    }

    [Test]
    public void A_saved_set_loads_back_pixel_for_pixel_with_its_captions()
    {
        var set = new[] { Example(16, 10, "zqbrand a hexagon"), Example(16, 90, "zqbrand"), Example(16, 200, "zqbrand, ünïcode caption") };
        TrainingSetFolder.Save(_folder, set);

        var back = TrainingSetFolder.Load(_folder);

        Assert.That(back.Select(e => (e.Size, e.Caption)), Is.EqualTo(set.Select(e => (e.Size, e.Caption))));
        for (int i = 0; i < set.Length; i++)
            Assert.That(back[i].Rgb, Is.EqualTo(set[i].Rgb), $"image {i}");
        Assert.That(Directory.GetFiles(_folder).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { "0000.png", "0001.png", "0002.png", TrainingSetFolder.ManifestName }));
    }

    [Test]
    public void A_folder_without_a_manifest_is_not_a_training_set()
    {
        File.WriteAllBytes(Path.Combine(_folder, "0000.png"), [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => TrainingSetFolder.Load(_folder));
        Assert.That(e!.Message, Does.Contain(TrainingSetFolder.ManifestName));
    }

    [Test]
    public void Images_of_different_sizes_are_refused_before_anything_is_written()
    {
        Assert.Throws<ArgumentException>(() => TrainingSetFolder.Save(_folder, [Example(16, 1, "a"), Example(8, 1, "b")]));
        Assert.That(Directory.GetFiles(_folder), Is.Empty);
    }

    [Test]
    public void A_manifest_naming_a_path_outside_the_folder_is_refused()
    {
        TrainingSetFolder.Save(_folder, [Example(8, 1, "a")]);
        string manifest = Path.Combine(_folder, TrainingSetFolder.ManifestName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("0000.png", "../0000.png"));
        var e = Assert.Throws<InvalidDataException>(() => TrainingSetFolder.Load(_folder));
        Assert.That(e!.Message, Does.Contain("not a file name"));
    }
}
