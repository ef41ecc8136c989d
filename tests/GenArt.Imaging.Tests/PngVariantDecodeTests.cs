namespace GenArt.Imaging.Tests;

/// <summary>PNG colour types, bit depths and interlacing not written by our encoder, decoded through libpng.</summary>
[TestFixture]
public class PngVariantDecodeTests
{
    private static byte[] QuadrantColour(int x, int y, bool grey) => (x * 2 / 32, y * 2 / 16) switch
    {
        (0, 0) => grey ? [76, 76, 76] : [255, 0, 0],
        (1, 0) => grey ? [150, 150, 150] : [0, 255, 0],
        (0, 1) => grey ? [29, 29, 29] : [0, 0, 255],
        _ => [255, 255, 255],
    };

    [TestCase("palette.png", false)]
    [TestCase("rgb16.png", false)]
    [TestCase("interlaced.png", false)]
    [TestCase("gray_alpha.png", true)]
    public void Decodes_exactly_to_rgb8(string file, bool grey)
    {
        var image = ImageDecoder.DecodeFile(Fixtures.PathOf(file));
        Assert.That((image.Width, image.Height, image.Format), Is.EqualTo((32, 16, PixelFormat.Rgb8)));
        var mismatches = new List<string>();
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                var actual = image.GetPixel(x, y).ToArray();
                if (!actual.SequenceEqual(QuadrantColour(x, y, grey)))
                    mismatches.Add($"({x},{y})={string.Join(",", actual)}");
            }
        }
        Assert.That(mismatches, Is.Empty);
    }
}
