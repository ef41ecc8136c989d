using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GenArt.Imaging.Internal;

namespace GenArt.Imaging;

/// <summary>
/// Writes 8-bit grayscale, RGB and RGBA PNG files (PNG specification, W3C third edition) with text metadata.
/// </summary>
/// <remarks>
/// Chunk order: IHDR, the text chunks, IDAT (zlib stream of filtered scanlines, split every 1 MiB), IEND.
/// Text comes before the image data so that readers that stop at the first IDAT still see the metadata.
/// </remarks>
public static partial class PngEncoder
{
    private const int MaxIdatLength = 1 << 20;

    public static byte[] Encode(RasterImage image, IEnumerable<PngTextEntry>? text = null, PngEncoderOptions? options = null)
    {
        using var output = new MemoryStream();
        Write(output, image, text, options);
        return output.ToArray();
    }

    public static void Write(Stream output, RasterImage image, IEnumerable<PngTextEntry>? text = null, PngEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(image);
        options ??= PngEncoderOptions.Default;
        var entries = text?.ToList() ?? [];
        foreach (var entry in entries)
            ValidateText(entry);

        output.Write(PngChunkWriter.Signature);
        PngChunkWriter.Write(output, "IHDR", Header(image));
        foreach (var entry in entries)
            WriteText(output, entry);

        var compressed = CompressScanlines(image, options);
        for (int offset = 0; offset < compressed.Length; offset += MaxIdatLength)
        {
            int length = Math.Min(MaxIdatLength, compressed.Length - offset);
            PngChunkWriter.Write(output, "IDAT", compressed.AsSpan(offset, length));
        }
        PngChunkWriter.Write(output, "IEND", ReadOnlySpan<byte>.Empty);
    }

    // PNG spec 11.2.1: width, height, bit depth 8, colour type (0 grey, 2 truecolour, 6 truecolour with alpha),
    // compression 0 (deflate), filter method 0 (adaptive, five types), interlace 0 (none).
    private static byte[] Header(RasterImage image)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)image.Height);
        ihdr[8] = 8;
        ihdr[9] = image.Format switch
        {
            PixelFormat.Gray8 => 0,
            PixelFormat.Rgb8 => 2,
            PixelFormat.Rgba8 => 6,
            _ => throw new ArgumentOutOfRangeException(nameof(image), image.Format, "Unsupported pixel format."),
        };
        return ihdr;
    }

    private static byte[] CompressScanlines(RasterImage image, PngEncoderOptions options)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, options.CompressionLevel, leaveOpen: true))
        {
            var filter = new ScanlineFilter(image.Stride, image.Channels);
            var pixels = image.Pixels.AsSpan();
            for (int y = 0; y < image.Height; y++)
            {
                var row = pixels.Slice(y * image.Stride, image.Stride);
                var previous = y == 0 ? ReadOnlySpan<byte>.Empty : pixels.Slice((y - 1) * image.Stride, image.Stride);
                zlib.Write(options.Filter == PngFilterStrategy.None ? filter.Unfiltered(row) : filter.Best(row, previous));
            }
        }
        return buffer.ToArray();
    }

    private static void ValidateText(PngTextEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ValidateKeyword(entry.Keyword);
        ArgumentNullException.ThrowIfNull(entry.Text, nameof(entry.Text));
        if (entry.Text.Contains('\0'))
            throw new ArgumentException($"Text of PNG keyword '{entry.Keyword}' contains a NUL character, which text chunks cannot hold.", nameof(entry));
    }

    // PNG spec 11.3.4.2: 1-79 Latin-1 printable characters (32-126, 161-255), no leading, trailing or
    // consecutive spaces.
    private static void ValidateKeyword(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        string? problem =
            keyword.Length is < 1 or > 79 ? "must be 1 to 79 characters long"
            : keyword.Any(c => c is < ' ' or (> '~' and < '\u00A1') or > '\u00FF') ? "may only hold printable Latin-1 characters"
            : keyword.StartsWith(' ') || keyword.EndsWith(' ') ? "may not start or end with a space"
            : keyword.Contains("  ", StringComparison.Ordinal) ? "may not hold consecutive spaces"
            : null;
        if (problem is not null)
            throw new ArgumentException($"PNG text keyword '{keyword}' {problem} (PNG spec 11.3.4.2).", nameof(keyword));
    }

    /// <summary>True when the text fits a tEXt chunk: Latin-1 without C0/C1 controls other than tab and newline.</summary>
    internal static bool IsPlainLatin1(string text) =>
        text.All(c => c is '\t' or '\n' or (>= ' ' and <= '~') or (>= '\u00A0' and <= '\u00FF'));

    private static void WriteText(Stream output, PngTextEntry entry)
    {
        var keyword = Encoding.Latin1.GetBytes(entry.Keyword);
        if (IsPlainLatin1(entry.Text))
        {
            // tEXt (11.3.4.3): keyword, NUL, Latin-1 text.
            var text = Encoding.Latin1.GetBytes(entry.Text);
            var data = new byte[keyword.Length + 1 + text.Length];
            keyword.CopyTo(data, 0);
            text.CopyTo(data, keyword.Length + 1);
            PngChunkWriter.Write(output, "tEXt", data);
        }
        else
        {
            // iTXt (11.3.4.5): keyword, NUL, compression flag 0, method 0, empty language tag + NUL,
            // empty translated keyword + NUL, UTF-8 text.
            var text = Encoding.UTF8.GetBytes(entry.Text);
            var data = new byte[keyword.Length + 5 + text.Length];
            keyword.CopyTo(data, 0);
            text.CopyTo(data, keyword.Length + 5);
            PngChunkWriter.Write(output, "iTXt", data);
        }
    }
}
