using System.Text.Json;
using System.Text.Json.Nodes;
using GenArt.Imaging;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>
/// A prepared training set on disk, as the front end stores it for the worker that trains it: square RGB PNGs at
/// the training resolution (<c>0000.png</c>, <c>0001.png</c>, ...) and <c>set.json</c> with the resolution and
/// each image's caption. The manifest is written last, through a temporary file and a rename, so a folder with a
/// manifest is always complete.
/// </summary>
public static class TrainingSetFolder
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "set.json";

    /// <summary>Writes <paramref name="examples"/> into <paramref name="folder"/> (created if needed).</summary>
    public static void Save(string folder, IReadOnlyList<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("a training set needs at least one image", nameof(examples));
        int size = examples[0].Size;
        for (int i = 0; i < examples.Count; i++)
            if (examples[i].Size != size) throw new ArgumentException($"image {i} is {examples[i].Size} px, the set is {size} px", nameof(examples));
        Directory.CreateDirectory(folder);
        var images = new JsonArray();
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            string file = FileName(i);
            File.WriteAllBytes(Path.Combine(folder, file), PngEncoder.Encode(new RasterImage(size, size, PixelFormat.Rgb8, e.Rgb)));
            images.Add(new JsonObject { ["file"] = file, ["caption"] = e.Caption });
        }
        var manifest = new JsonObject { ["resolution"] = size, ["images"] = images };
        string temp = Path.Combine(folder, ManifestName + ".tmp");
        File.WriteAllText(temp, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, Path.Combine(folder, ManifestName), overwrite: true);
    }

    /// <summary>Reads a set written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The folder has no manifest, or the manifest and the images disagree.</exception>
    public static IReadOnlyList<TrainingExample> Load(string folder)
    {
        string path = Path.Combine(folder, ManifestName);
        if (!File.Exists(path)) throw new InvalidDataException($"{folder} holds no complete training set (no {ManifestName})");
        var manifest = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException($"{path}: not a JSON object");
        int size = manifest["resolution"]?.GetValue<int>() ?? throw new InvalidDataException($"{path}: no resolution");
        var images = manifest["images"] as JsonArray ?? throw new InvalidDataException($"{path}: no images");
        var examples = new List<TrainingExample>(images.Count);
        foreach (var node in images)
        {
            string file = node?["file"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: an image without a file");
            string caption = node["caption"]?.GetValue<string>() ?? throw new InvalidDataException($"{path}: {file} has no caption");
            if (Path.GetFileName(file) != file) throw new InvalidDataException($"{path}: '{file}' is not a file name");
            var image = ImageDecoder.DecodeFile(Path.Combine(folder, file));
            if (image.Width != size || image.Height != size || image.Format != PixelFormat.Rgb8)
                throw new InvalidDataException($"{file}: expected {size}x{size} RGB, found {image.Width}x{image.Height} {image.Format}");
            examples.Add(new TrainingExample(image.Pixels, size, caption));
        }
        return examples;
    }

    private static string FileName(int index) => $"{index:D4}.png";
}
