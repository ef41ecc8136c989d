using System.Buffers.Binary;
using System.Text;

namespace GenArt.Imaging.Tests;

[TestFixture]
public class PngEncoderTests
{
    [TestCase(PixelFormat.Rgb8, 67, 31)]
    [TestCase(PixelFormat.Rgb8, 1, 1)]
    [TestCase(PixelFormat.Gray8, 40, 23)]
    public void Noise_image_round_trips_through_libpng(PixelFormat format, int width, int height)
    {
        var image = new RasterImage(width, height, format, Fixtures.Noise(width * height * (int)format, 7));
        var decoded = ImageDecoder.Decode(PngEncoder.Encode(image), "noise.png");
        Assert.Multiple(() =>
        {
            Assert.That(decoded.Width, Is.EqualTo(width));
            Assert.That(decoded.Height, Is.EqualTo(height));
            Assert.That(decoded.Pixels, Is.EqualTo(ToRgb(image)));
        });
    }

    [Test]
    public void Opaque_rgba_round_trips_and_transparency_is_composited_on_white()
    {
        var pixels = Fixtures.Noise(16 * 8 * 4, 3);
        for (int i = 3; i < pixels.Length; i += 4)
            pixels[i] = 255;
        // The first pixel fully transparent, the second half transparent black.
        pixels[3] = 0;
        pixels[4] = pixels[5] = pixels[6] = 0;
        pixels[7] = 128;
        var image = new RasterImage(16, 8, PixelFormat.Rgba8, pixels);
        var decoded = ImageDecoder.Decode(PngEncoder.Encode(image), "alpha.png");

        Assert.Multiple(() =>
        {
            Assert.That(decoded.GetPixel(0, 0).ToArray(), Is.EqualTo(new byte[] { 255, 255, 255 }));
            // libpng blends in linear light: half of linear white is sRGB 0.735, i.e. about 188, not 128.
            Assert.That((int)decoded.GetPixel(1, 0)[0], Is.InRange(185, 190), "half-transparent black over white");
            for (int p = 2; p < 16 * 8; p++)
            {
                var expected = pixels.AsSpan(p * 4, 3).ToArray();
                Assert.That(decoded.GetPixel(p % 16, p / 16).ToArray(), Is.EqualTo(expected), $"pixel {p}");
            }
        });
    }

    [Test]
    public void Adaptive_filtering_beats_no_filtering_on_a_gradient_and_decodes_identically()
    {
        int w = 256, h = 64;
        var pixels = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                pixels[i] = (byte)x;
                pixels[i + 1] = (byte)(x * 3 + y * 5);
                pixels[i + 2] = (byte)(y * 4);
            }
        }
        var image = new RasterImage(w, h, PixelFormat.Rgb8, pixels);
        var adaptive = PngEncoder.Encode(image);
        var unfiltered = PngEncoder.Encode(image, options: new PngEncoderOptions { Filter = PngFilterStrategy.None });
        Assert.Multiple(() =>
        {
            Assert.That(adaptive.Length, Is.LessThan(unfiltered.Length));
            Assert.That(ImageDecoder.Decode(adaptive, "a.png").Pixels, Is.EqualTo(pixels));
            Assert.That(ImageDecoder.Decode(unfiltered, "u.png").Pixels, Is.EqualTo(pixels));
        });
    }

    [Test]
    public void Pipeline_golden_pixels_encode_to_a_png_that_decodes_to_the_same_pixels()
    {
        var (shape, data) = Fixtures.ReadU8Tensor("txt2img.safetensors", "image_uint8_hwc");
        var image = new RasterImage(shape[1], shape[0], PixelFormat.Rgb8, data);
        var decoded = ImageDecoder.Decode(PngEncoder.Encode(image), "txt2img.png");
        Assert.That(decoded.Pixels, Is.EqualTo(data));
    }

    [Test]
    public void Pngcheck_accepts_the_file_and_lists_text_chunks()
    {
        var image = new RasterImage(20, 10, PixelFormat.Rgb8, Fixtures.Noise(600, 11));
        var parameters = new GenerationParameters
        {
            Prompt = "a café at night", NegativePrompt = "blurry", Steps = 20, Sampler = "DPM++ 2M Karras",
            CfgScale = 7.5, Seed = 42, Width = 20, Height = 10, Model = "genart-base",
        };
        string path = Fixtures.TempFile(".png");
        try
        {
            File.WriteAllBytes(path, PngEncoder.Encode(image,
                [PngTextEntry.Parameters(parameters.ToA1111Text()), PngTextEntry.GenArt("{\"prompt\":\"東京の夜景\"}")]));
            var (exit, output) = Fixtures.PngCheck(path);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(0), output);
                Assert.That(output, Does.Contain("No errors detected"));
                Assert.That(output, Does.Contain("chunk IHDR").And.Contain("chunk tEXt").And.Contain("chunk iTXt")
                    .And.Contain("chunk IDAT").And.Contain("chunk IEND"));
                Assert.That(output, Does.Contain("20 x 10 image, 24-bit RGB, non-interlaced"));
                Assert.That(output, Does.Contain("parameters").And.Contain("genart"));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase(PixelFormat.Gray8, "8-bit grayscale")]
    [TestCase(PixelFormat.Rgba8, "32-bit RGB+alpha")]
    public void Pngcheck_accepts_gray_and_rgba(PixelFormat format, string description)
    {
        var image = new RasterImage(9, 5, format, Fixtures.Noise(45 * (int)format, 5));
        string path = Fixtures.TempFile(".png");
        try
        {
            File.WriteAllBytes(path, PngEncoder.Encode(image));
            var (exit, output) = Fixtures.PngCheck(path);
            Assert.That(exit, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain(description).And.Contain("No errors detected"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Latin1_text_is_tEXt_and_other_text_is_iTXt_and_both_read_back()
    {
        var image = RasterImage.Create(2, 2, PixelFormat.Rgb8);
        var entries = new[]
        {
            PngTextEntry.Parameters("a café\nSteps: 20"),
            PngTextEntry.GenArt("{\"prompt\":\"一只可爱的猫 🐱\"}"),
        };
        var png = PngEncoder.Encode(image, entries);
        var types = ChunkTypes(png);
        var read = PngTextReader.Read(png);
        Assert.Multiple(() =>
        {
            Assert.That(types, Is.EqualTo(new[] { "IHDR", "tEXt", "iTXt", "IDAT", "IEND" }));
            Assert.That(read, Is.EqualTo(entries));
            Assert.That(PngTextReader.Find(read, "genart"), Does.Contain("🐱"));
        });
    }

    [Test]
    public void Invalid_keywords_and_text_are_refused_naming_the_rule()
    {
        var image = RasterImage.Create(1, 1, PixelFormat.Gray8);
        var e1 = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, [new PngTextEntry("", "x")]));
        var e2 = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, [new PngTextEntry(new string('k', 80), "x")]));
        var e3 = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, [new PngTextEntry(" lead", "x")]));
        var e4 = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, [new PngTextEntry("key", "a\0b")]));
        var e5 = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(image, [new PngTextEntry("ключ", "x")]));
        Assert.Multiple(() =>
        {
            Assert.That(e1!.Message, Does.Contain("1 to 79"));
            Assert.That(e2!.Message, Does.Contain("1 to 79"));
            Assert.That(e3!.Message, Does.Contain("space"));
            Assert.That(e4!.Message, Does.Contain("NUL").And.Contain("key"));
            Assert.That(e5!.Message, Does.Contain("Latin-1"));
        });
    }

    [Test]
    public void Image_dimensions_and_buffer_size_are_validated()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new RasterImage(0, 1, PixelFormat.Rgb8, []), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("width"));
            Assert.That(() => new RasterImage(2, 2, PixelFormat.Rgb8, new byte[11]), Throws.ArgumentException.With.Message.Contains("needs 12"));
        });
    }

    internal static byte[] ToRgb(RasterImage image)
    {
        if (image.Format == PixelFormat.Rgb8)
            return image.Pixels;
        var rgb = new byte[image.Width * image.Height * 3];
        for (int p = 0; p < image.Width * image.Height; p++)
        {
            for (int c = 0; c < 3; c++)
                rgb[p * 3 + c] = image.Format == PixelFormat.Gray8 ? image.Pixels[p] : image.Pixels[p * 4 + c];
        }
        return rgb;
    }

    internal static List<string> ChunkTypes(byte[] png)
    {
        var types = new List<string>();
        int pos = 8;
        while (pos + 8 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            types.Add(Encoding.ASCII.GetString(png, pos + 4, 4));
            pos += 12 + length;
        }
        return types;
    }
}
