using System.Buffers.Binary;
using System.IO.Compression;
using GenArt.Diffusion.Training.FineTune;
using GenArt.Imaging;

namespace GenArt.Diffusion.Tests.Training.FineTune;

public sealed class TrainingSetIntakeTests
{
    private static byte[] Png(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
        return PngEncoder.Encode(new RasterImage(width, height, PixelFormat.Rgb8, pixels));
    }

    private static FineTuneUpload Upload(string name, string? caption = null) => new(name, Png(40, 24, 200, 30, 30), caption);

    private static FineTuneUpload[] Three(FineTuneUpload? last = null) => [Upload("a.png"), Upload("b.png"), last ?? Upload("c.png")];

    private static FineTuneInputException Refused(IReadOnlyList<FineTuneUpload> uploads, TrainingSetRules? rules = null) =>
        Assert.Throws<FineTuneInputException>(() => TrainingSetIntake.Prepare(uploads, "zqbrand", 16, rules))!;

    [Test]
    public void ImagesAreCroppedToTheResolutionAndCaptionsCarryTheTriggerWord()
    {
        var examples = TrainingSetIntake.Prepare(
            [Upload("a.png"), Upload("b.png", "a red square"), Upload("c.png", "  ZQBRAND, a red square "), Upload("d.png", "zqbrands everywhere")],
            "zqbrand", 16);
        Assert.Multiple(() =>
        {
            Assert.That(examples.Select(e => e.Size), Is.All.EqualTo(16));
            Assert.That(examples.Select(e => e.Rgb.Length), Is.All.EqualTo(16 * 16 * 3));
            Assert.That(examples[0].Rgb[..3], Is.EqualTo(new byte[] { 200, 30, 30 }));
            Assert.That(examples.Select(e => e.Caption), Is.EqualTo(new[]
            {
                "zqbrand",                          // missing caption: the trigger word
                "zqbrand a red square",             // prepended
                "ZQBRAND, a red square",            // already there (any case), trimmed
                "zqbrand zqbrands everywhere",      // "zqbrands" is another word
            }));
        });
    }

    [Test]
    public void ExifOrientationIsHonouredBeforeTheCrop()
    {
        byte[] jpeg = File.ReadAllBytes(Path.Combine(RepoPaths.Fixtures, "imaging", "orient_6.jpg"));
        var examples = TrainingSetIntake.Prepare([new("o.jpg", jpeg), new("o2.jpg", jpeg), new("o3.jpg", jpeg)], "zqbrand", 16);
        var upright = ImageResizer.ResizeAndCenterCrop(ImageDecoder.Decode(jpeg, "o.jpg"), 16);
        var stored = ImageResizer.ResizeAndCenterCrop(ImageDecoder.Decode(jpeg, "o.jpg", new ImageDecodeOptions { ApplyExifOrientation = false }), 16);
        Assert.That(examples[0].Rgb, Is.EqualTo(upright.Pixels));
        Assert.That(examples[0].Rgb, Is.Not.EqualTo(stored.Pixels), "the fixture must look different unrotated");
    }

    [Test]
    public void CountsOutsideThreeToOneThousandAreRefused()
    {
        Assert.That(Refused([Upload("a.png"), Upload("b.png")]).Field, Is.EqualTo("images"));
        var many = Enumerable.Range(0, 1001).Select(i => Upload($"{i}.png")).ToArray();
        var e = Refused(many);
        Assert.That(e.Field, Is.EqualTo("images"));
        Assert.That(e.Message, Does.Contain("3-1000").And.Contain("1001"));
    }

    [Test]
    public void UnsupportedCorruptAndOversizedFilesAreRefusedByName()
    {
        var gif = new FineTuneUpload("anim.gif", "GIF89a\x01\x00\x01\x00"u8.ToArray());
        var e = Refused(Three(gif));
        Assert.That((e.Field, e.FileName), Is.EqualTo(("images", "anim.gif")));
        Assert.That(e.Message, Does.Contain("unsupported format"));

        var png = Png(40, 24, 1, 2, 3);
        var truncated = new FineTuneUpload("cut.png", png[..(png.Length - 20)]);
        e = Refused(Three(truncated));
        Assert.That((e.Field, e.FileName), Is.EqualTo(("images", "cut.png")));
        Assert.That(e.Message, Does.Contain("corrupt"));

        // a valid header declaring 8000 x 6000 (48 MP) and no pixel data: refused from the header alone
        e = Refused(Three(new FineTuneUpload("huge.png", PngHeaderOnly(8000, 6000))));
        Assert.That((e.Field, e.FileName), Is.EqualTo(("images", "huge.png")));
        Assert.That(e.Message, Does.Contain("pixel limit"));

        e = Refused(Three(new FineTuneUpload("empty.png", [])));
        Assert.That((e.Field, e.FileName), Is.EqualTo(("images", "empty.png")));
    }

    [Test]
    public void LongCaptionsAndBadTriggerWordsAreRefused()
    {
        var e = Refused(Three(Upload("c.png", new string('x', 993))));
        Assert.That((e.Field, e.FileName), Is.EqualTo(("captions", "c.png")));
        Assert.That(e.Message, Does.Contain("1000"));
        Assert.That(TrainingSetIntake.Prepare(Three(Upload("c.png", new string('x', 992))), "zqbrand", 16), Has.Count.EqualTo(3),
            "992 characters + 'zqbrand ' is exactly the limit");

        foreach (var bad in new[] { "", "two words", "a,b", new string('z', 65) })
            Assert.That(Assert.Throws<FineTuneInputException>(() => TrainingSetIntake.Prepare(Three(), bad, 16))!.Field, Is.EqualTo("trigger_word"));
        Assert.That(Assert.Throws<FineTuneInputException>(() => TrainingSetIntake.Prepare(Three(), "zqbrand", 20))!.Field, Is.EqualTo("resolution"));
    }

    // PNG signature + IHDR (with its CRC) + an IDAT of nothing + IEND: a header a decoder reads before any pixel.
    private static byte[] PngHeaderOnly(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // RGB
        Chunk(ms, "IHDR", ihdr);
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(new byte[16]);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc(typed));
        s.Write(len);
    }

    private static uint Crc(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
