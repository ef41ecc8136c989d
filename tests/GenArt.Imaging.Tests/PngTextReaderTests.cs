using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GenArt.Imaging.Internal;

namespace GenArt.Imaging.Tests;

[TestFixture]
public class PngTextReaderTests
{
    [Test]
    public void Crc32_matches_the_standard_check_value()
    {
        // CRC-32/ISO-HDLC check value for the ASCII string "123456789".
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));
    }

    [Test]
    public void Compressed_zTXt_and_iTXt_are_read()
    {
        using var png = new MemoryStream();
        png.Write(PngChunkWriter.Signature);
        PngChunkWriter.Write(png, "IHDR", new byte[13]);
        PngChunkWriter.Write(png, "zTXt", [.. "Comment\0\0"u8, .. Deflate(Encoding.Latin1.GetBytes("zipped café"))]);
        PngChunkWriter.Write(png, "iTXt", [.. "genart\0\u0001\0en\0"u8, .. Encoding.UTF8.GetBytes("Genart\0"), .. Deflate(Encoding.UTF8.GetBytes("{\"p\":\"猫\"}"))]);
        PngChunkWriter.Write(png, "IEND", []);

        var entries = PngTextReader.Read(png.ToArray());
        Assert.That(entries, Is.EqualTo(new[] { new PngTextEntry("Comment", "zipped café"), new PngTextEntry("genart", "{\"p\":\"猫\"}") }));
    }

    [Test]
    public void Corrupted_crc_is_reported_with_chunk_and_offset()
    {
        var png = PngEncoder.Encode(RasterImage.Create(2, 2, PixelFormat.Rgb8), [PngTextEntry.Parameters("hello")]);
        int textData = 8 + 25 + 8; // signature, IHDR chunk, tEXt length+type
        png[textData + 2] ^= 0x20;
        var e = Assert.Throws<InvalidDataException>(() => PngTextReader.Read(png));
        Assert.That(e!.Message, Does.Contain("tEXt").And.Contain("CRC").And.Contain("byte 33"));
    }

    [Test]
    public void Truncated_and_foreign_files_are_refused()
    {
        var png = PngEncoder.Encode(RasterImage.Create(2, 2, PixelFormat.Rgb8));
        var e1 = Assert.Throws<InvalidDataException>(() => PngTextReader.Read(png.AsSpan(0, png.Length - 6)));
        var e2 = Assert.Throws<InvalidDataException>(() => PngTextReader.Read("GIF89a......"u8));
        Assert.Multiple(() =>
        {
            Assert.That(e1!.Message, Does.Contain("past the end").Or.Contain("no IEND"));
            Assert.That(e2!.Message, Does.Contain("signature"));
        });
    }

    [Test]
    public void Golden_png_written_by_pil_has_no_text_chunks()
    {
        Assert.That(PngTextReader.Read(Fixtures.Read("txt2img.png")), Is.Empty);
    }

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(data);
        return output.ToArray();
    }

    internal static uint Be(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b);
}
