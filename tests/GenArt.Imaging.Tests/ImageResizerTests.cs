namespace GenArt.Imaging.Tests;

[TestFixture]
public class ImageResizerTests
{
    private static RasterImage Gray(int w, int h, params byte[] pixels) => new(w, h, PixelFormat.Gray8, pixels);

    [Test]
    public void Halving_averages_each_two_by_two_block()
    {
        var image = Gray(4, 2, 0, 10, 100, 200, 20, 30, 50, 250);
        var resized = ImageResizer.Resize(image, 2, 1);
        Assert.That(resized.Pixels, Is.EqualTo(new byte[] { 15, 150 }));
    }

    [Test]
    public void Fractional_downscale_weights_pixels_by_coverage()
    {
        // Output pixel 0 covers source [0, 1.5): 0 fully, 90 half; pixel 1 covers [1.5, 3).
        var resized = ImageResizer.Resize(Gray(3, 1, 0, 90, 180), 2, 1);
        Assert.That(resized.Pixels, Is.EqualTo(new byte[] { 30, 150 }));
    }

    [Test]
    public void Upscale_interpolates_between_pixel_centres()
    {
        var resized = ImageResizer.Resize(Gray(2, 1, 0, 100), 4, 1);
        Assert.That(resized.Pixels, Is.EqualTo(new byte[] { 0, 25, 75, 100 }));
    }

    [Test]
    public void Uniform_colour_survives_any_resize()
    {
        var pixels = Enumerable.Repeat(new byte[] { 12, 200, 77 }, 37 * 23).SelectMany(p => p).ToArray();
        var image = new RasterImage(37, 23, PixelFormat.Rgb8, pixels);
        foreach (var (w, h) in new[] { (10, 7), (64, 64), (37, 5), (1, 1) })
        {
            var resized = ImageResizer.Resize(image, w, h);
            Assert.That(resized.Pixels.Chunk(3).All(p => p.SequenceEqual(new byte[] { 12, 200, 77 })), Is.True, $"{w}x{h}");
        }
    }

    [Test]
    public void Center_crop_keeps_the_middle_of_the_long_side()
    {
        var pixels = new byte[200 * 100];
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 200; x++)
                pixels[y * 200 + x] = (byte)x;
        var square = ImageResizer.ResizeAndCenterCrop(Gray(200, 100, pixels), 100);
        Assert.Multiple(() =>
        {
            Assert.That(square.Width, Is.EqualTo(100));
            Assert.That(square.Height, Is.EqualTo(100));
            Assert.That(square.GetPixel(0, 0)[0], Is.EqualTo(50));
            Assert.That(square.GetPixel(99, 99)[0], Is.EqualTo(149));
        });
    }

    [Test]
    public void Resize_and_crop_a_portrait_photo_to_training_size()
    {
        var photo = ImageDecoder.DecodeFile(Fixtures.PathOf("orient_6.jpg")); // displayed 16x32: blue|red over white|green
        var square = ImageResizer.ResizeAndCenterCrop(photo, 8);
        Assert.Multiple(() =>
        {
            Assert.That((square.Width, square.Height), Is.EqualTo((8, 8)));
            // The centre crop spans rows 8..23 of the 32-row photo: top half blue|red, bottom half white|green.
            Assert.That(square.GetPixel(1, 1)[2], Is.GreaterThan(200), "blue on the top left");
            Assert.That(square.GetPixel(6, 6)[1], Is.GreaterThan(200), "green on the bottom right");
            Assert.That(square.GetPixel(6, 6)[0], Is.LessThan(50), "green on the bottom right");
        });
    }

    [Test]
    public void Invalid_sizes_and_crops_are_refused()
    {
        var image = Gray(4, 2, new byte[8]);
        Assert.Multiple(() =>
        {
            Assert.That(() => ImageResizer.Resize(image, 0, 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("width"));
            Assert.That(() => ImageResizer.ResizeAndCenterCrop(image, -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("size"));
            Assert.That(() => ImageTransforms.Crop(image, 2, 0, 3, 2), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("does not fit"));
        });
    }
}
