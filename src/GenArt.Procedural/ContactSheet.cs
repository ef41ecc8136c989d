using System.Text;
using GenArt.Imaging;

namespace GenArt.Procedural;

/// <summary>Lays images out in a grid for a quick look at a batch of samples or model outputs.</summary>
public static class ContactSheet
{
    /// <summary>The images row by row, left to right, separated by <paramref name="padding"/> dark-gray pixels.
    /// Cells are the size of the largest image; smaller images sit at their cell's top left.</summary>
    public static RasterImage Compose(IReadOnlyList<RasterImage> images, int columns, int padding = 4)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
            throw new ArgumentException("a contact sheet needs at least one image.", nameof(images));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        int cellW = images.Max(i => i.Width), cellH = images.Max(i => i.Height);
        int width = columns * cellW + (columns + 1) * padding, height = rows * cellH + (rows + 1) * padding;
        var sheet = RasterImage.Create(width, height, PixelFormat.Rgb8);
        Array.Fill(sheet.Pixels, (byte)48);
        for (int n = 0; n < images.Count; n++)
        {
            var image = images[n];
            if (image.Format != PixelFormat.Rgb8)
                throw new ArgumentException($"image {n} is {image.Format}; contact sheets take Rgb8.", nameof(images));
            int ox = padding + n % columns * (cellW + padding), oy = padding + n / columns * (cellH + padding);
            for (int y = 0; y < image.Height; y++)
                Array.Copy(image.Pixels, y * image.Stride, sheet.Pixels, ((oy + y) * width + ox) * 3, image.Stride);
        }
        return sheet;
    }

    /// <summary>
    /// Writes the samples' images as a PNG at <paramref name="pngPath"/> and, beside it with the extension .txt,
    /// one line per image in the same order: index, seed and caption separated by tabs.
    /// </summary>
    public static void Save(string pngPath, IReadOnlyList<DatasetSample> samples, int columns)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sheet = Compose(samples.Select(s => s.Image).ToList(), columns);
        File.WriteAllBytes(pngPath, PngEncoder.Encode(sheet));
        var text = new StringBuilder();
        for (int i = 0; i < samples.Count; i++)
            text.Append(i).Append('\t').Append(samples[i].Seed).Append('\t').Append(samples[i].Caption).Append('\n');
        File.WriteAllText(Path.ChangeExtension(pngPath, ".txt"), text.ToString());
    }
}
