using System.Buffers.Binary;
using GenArt.Imaging.Internal;

namespace GenArt.Imaging.Tests;

[TestFixture]
public class ImageDecoderTests
{
    private static readonly byte[] Red = [255, 0, 0], Green = [0, 255, 0], Blue = [0, 0, 255], White = [255, 255, 255];

    // Colours at the centres of the displayed quadrants (top-left, top-right, bottom-left, bottom-right) for a
    // stored image of red | green over blue | white, per the EXIF 2.32 Orientation table (checked against Pillow's
    // ImageOps.exif_transpose on the same files).
    private static readonly Dictionary<int, byte[][]> Displayed = new()
    {
        [1] = [Red, Green, Blue, White],
        [2] = [Green, Red, White, Blue],
        [3] = [White, Blue, Green, Red],
        [4] = [Blue, White, Red, Green],
        [5] = [Red, Blue, Green, White],
        [6] = [Blue, Red, White, Green],
        [7] = [White, Green, Blue, Red],
        [8] = [Green, White, Red, Blue],
    };

    [Test]
    public void Pil_written_golden_png_decodes_to_the_golden_pixels()
    {
        var (shape, data) = Fixtures.ReadU8Tensor("txt2img.safetensors", "image_uint8_hwc");
        var image = ImageDecoder.DecodeFile(Fixtures.PathOf("txt2img.png"));
        Assert.Multiple(() =>
        {
            Assert.That(new[] { image.Height, image.Width, image.Channels }, Is.EqualTo(shape));
            Assert.That(image.Pixels, Is.EqualTo(data));
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(6)]
    [TestCase(7)]
    [TestCase(8)]
    public void Jpeg_exif_orientation_is_applied(int orientation)
    {
        var bytes = Fixtures.Read($"orient_{orientation}.jpg");
        var image = ImageDecoder.Decode(bytes, $"orient_{orientation}.jpg");
        bool swapped = orientation >= 5;
        Assert.Multiple(() =>
        {
            Assert.That((int)ExifOrientationReader.Read(bytes), Is.EqualTo(orientation));
            Assert.That(image.Width, Is.EqualTo(swapped ? 16 : 32));
            Assert.That(image.Height, Is.EqualTo(swapped ? 32 : 16));
            AssertQuadrants(image, Displayed[orientation]);
        });
    }

    [Test]
    public void Orientation_can_be_ignored()
    {
        var image = ImageDecoder.Decode(Fixtures.Read("orient_6.jpg"), "orient_6.jpg", new ImageDecodeOptions { ApplyExifOrientation = false });
        Assert.That(image.Width, Is.EqualTo(32));
        AssertQuadrants(image, Displayed[1]);
    }

    [Test]
    public void Jpeg_without_exif_grayscale_and_progressive_decode_to_rgb()
    {
        var plain = ImageDecoder.DecodeFile(Fixtures.PathOf("quadrants.jpg"));
        var gray = ImageDecoder.DecodeFile(Fixtures.PathOf("gray.jpg"));
        var progressive = ImageDecoder.DecodeFile(Fixtures.PathOf("progressive.jpg"));
        Assert.Multiple(() =>
        {
            Assert.That(ExifOrientationReader.Read(Fixtures.Read("quadrants.jpg")), Is.EqualTo(ExifOrientation.Normal));
            AssertQuadrants(plain, Displayed[1]);
            AssertQuadrants(progressive, Displayed[1]);
            Assert.That(gray.Format, Is.EqualTo(PixelFormat.Rgb8));
            var px = gray.GetPixel(8, 4).ToArray();
            Assert.That(px[0], Is.EqualTo(px[1]).And.EqualTo(px[2]), "grey pixels have equal channels");
            // Rec. 601 luma of pure red is about 76.
            Assert.That((int)px[0], Is.InRange(70, 82));
        });
    }

    [Test]
    public void Truncated_jpeg_is_refused_as_corrupt()
    {
        var bytes = Fixtures.Read("quadrants.jpg");
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes.AsSpan(0, bytes.Length - 200), "holiday.jpg"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Rule, Is.EqualTo(ImageDecodeRule.Corrupt));
            Assert.That(e.FileName, Is.EqualTo("holiday.jpg"));
            Assert.That(e.Message, Does.StartWith("holiday.jpg: corrupt or unreadable JPEG data"));
        });
    }

    [Test]
    public void Jpeg_magic_followed_by_garbage_is_refused_as_corrupt()
    {
        byte[] bytes = [0xFF, 0xD8, 0xFF, .. Fixtures.Noise(500, 99)];
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, "junk.jpg"));
        Assert.That(e!.Rule, Is.EqualTo(ImageDecodeRule.Corrupt));
    }

    [Test]
    public void Truncated_and_damaged_png_are_refused_as_corrupt()
    {
        var png = PngEncoder.Encode(new RasterImage(64, 64, PixelFormat.Rgb8, Fixtures.Noise(64 * 64 * 3, 1)));
        var damaged = (byte[])png.Clone();
        damaged[png.Length / 2] ^= 0xFF;
        var e1 = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.AsSpan(0, png.Length / 2), "cut.png"));
        var e2 = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(damaged, "flip.png"));
        Assert.Multiple(() =>
        {
            Assert.That(e1!.Rule, Is.EqualTo(ImageDecodeRule.Corrupt));
            Assert.That(e1.Message, Does.StartWith("cut.png: corrupt or unreadable PNG data ("));
            Assert.That(e2!.Rule, Is.EqualTo(ImageDecodeRule.Corrupt));
            Assert.That(e2.Message, Does.StartWith("flip.png:"));
        });
    }

    [Test]
    public void Oversized_jpeg_header_is_refused_before_decoding()
    {
        var bytes = Fixtures.Read("quadrants.jpg");
        int sof = FindMarker(bytes, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 6000); // height
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), 8000); // width
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, "huge.jpg"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Rule, Is.EqualTo(ImageDecodeRule.TooManyPixels));
            Assert.That(e.Message, Is.EqualTo("huge.jpg: 8000x6000 is 48,000,000 pixels, over the limit of 40,000,000 pixels."));
        });
    }

    [Test]
    public void Oversized_png_header_is_refused_before_decoding()
    {
        using var png = new MemoryStream();
        png.Write(PngChunkWriter.Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 10_000);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 5_000);
        ihdr[8] = 8;
        ihdr[9] = 2;
        PngChunkWriter.Write(png, "IHDR", ihdr);
        // libpng reads the header up to the first IDAT; the pixel data itself is never reached.
        PngChunkWriter.Write(png, "IDAT", [0x78, 0x9C, 0x03, 0x00]);
        PngChunkWriter.Write(png, "IEND", []);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png.ToArray(), "poster.png"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Rule, Is.EqualTo(ImageDecodeRule.TooManyPixels));
            Assert.That(e.Message, Does.Contain("poster.png").And.Contain("10000x5000").And.Contain("40,000,000"));
        });
    }

    [Test]
    public void Raising_the_limit_never_allows_more_than_one_buffer_can_hold()
    {
        var bytes = Fixtures.Read("quadrants.jpg");
        int sof = FindMarker(bytes, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 65000);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), 65000);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bytes, "huge.jpg", new ImageDecodeOptions { MaxPixels = long.MaxValue }));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Rule, Is.EqualTo(ImageDecodeRule.TooManyPixels));
            Assert.That(e.Message, Does.Contain("more than one buffer can hold"));
        });
    }

    [Test]
    public void Pixel_limit_is_configurable()
    {
        var e = Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.DecodeFile(Fixtures.PathOf("quadrants.jpg"), new ImageDecodeOptions { MaxPixels = 511 }));
        Assert.That(e!.Message, Is.EqualTo("quadrants.jpg: 32x16 is 512 pixels, over the limit of 511 pixels."));
    }

    [Test]
    public void Other_formats_garbage_and_empty_files_are_refused_by_rule()
    {
        var gif = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("GIF89a\u0001\0\u0001\0"u8, "anim.gif"));
        var webp = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("RIFF\0\0\0\0WEBPVP8 "u8, "photo.webp"));
        var junk = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(Fixtures.Noise(300, 5), "mystery.bin"));
        var empty = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([], "empty.png"));
        Assert.Multiple(() =>
        {
            Assert.That(gif!.Rule, Is.EqualTo(ImageDecodeRule.UnsupportedFormat));
            Assert.That(gif.Message, Is.EqualTo("anim.gif: Gif images are not accepted; only PNG and JPEG uploads are."));
            Assert.That(webp!.Message, Does.Contain("WebP"));
            Assert.That(junk!.Rule, Is.EqualTo(ImageDecodeRule.UnsupportedFormat));
            Assert.That(junk.Message, Is.EqualTo("mystery.bin: unrecognised image format; only PNG and JPEG uploads are accepted."));
            Assert.That(empty!.Rule, Is.EqualTo(ImageDecodeRule.Empty));
        });
    }

    [Test]
    public void Malformed_exif_blocks_fall_back_to_normal()
    {
        var bytes = Fixtures.Read("orient_6.jpg");
        var badMagic = (byte[])bytes.Clone();
        badMagic[12] = (byte)'X'; // byte-order mark "II"/"MM" becomes invalid
        var badValue = (byte[])bytes.Clone();
        int valueAt = 4 + 2 + 6 + 8 + 2 + 8;
        badValue[valueAt] = 0;
        badValue[valueAt + 1] = 9;
        Assert.Multiple(() =>
        {
            Assert.That(ExifOrientationReader.Read(badMagic), Is.EqualTo(ExifOrientation.Normal));
            Assert.That(ExifOrientationReader.Read(badValue), Is.EqualTo(ExifOrientation.Normal));
            Assert.That(ExifOrientationReader.Read("not a jpeg"u8), Is.EqualTo(ExifOrientation.Normal));
        });
    }

    private static void AssertQuadrants(RasterImage image, byte[][] expected)
    {
        int w = image.Width, h = image.Height;
        (int X, int Y)[] centres = [(w / 4, h / 4), (3 * w / 4, h / 4), (w / 4, 3 * h / 4), (3 * w / 4, 3 * h / 4)];
        for (int q = 0; q < 4; q++)
        {
            var actual = image.GetPixel(centres[q].X, centres[q].Y).ToArray();
            for (int c = 0; c < 3; c++)
                Assert.That(Math.Abs(actual[c] - expected[q][c]), Is.LessThanOrEqualTo(8), $"quadrant {q} channel {c}: {string.Join(",", actual)}");
        }
    }

    private static int FindMarker(byte[] jpeg, byte marker)
    {
        for (int i = 2; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
                return i;
        }
        Assert.Fail($"marker FF{marker:X2} not found");
        return -1;
    }
}
