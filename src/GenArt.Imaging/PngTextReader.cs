using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using GenArt.Imaging.Internal;

namespace GenArt.Imaging;

/// <summary>
/// Reads the text chunks of a PNG file: tEXt (Latin-1), zTXt (compressed Latin-1) and iTXt (UTF-8, optionally
/// compressed), in file order. Checks the signature, every chunk's length and CRC (PNG spec 5.3), and stops at IEND.
/// </summary>
public static class PngTextReader
{
    public static IReadOnlyList<PngTextEntry> Read(ReadOnlySpan<byte> png)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(PngChunkWriter.Signature))
            throw new InvalidDataException("Not a PNG file: the 8-byte PNG signature is missing.");
        var entries = new List<PngTextEntry>();
        int pos = 8;
        while (true)
        {
            if (pos + 12 > png.Length)
                throw new InvalidDataException($"PNG file ends inside a chunk header at byte {pos} (no IEND chunk).");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > int.MaxValue || pos + 12 + (long)length > png.Length)
                throw new InvalidDataException($"PNG chunk at byte {pos} declares {length} data bytes, past the end of the file.");
            var typeBytes = png.Slice(pos + 4, 4);
            string type = Encoding.ASCII.GetString(typeBytes);
            var data = png.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]);
            uint actual = Crc32.Update(Crc32.Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
            if (stored != actual)
                throw new InvalidDataException($"PNG chunk {type} at byte {pos} has CRC {stored:X8}, expected {actual:X8}.");

            switch (type)
            {
                case "tEXt":
                    entries.Add(ReadTExt(data, pos));
                    break;
                case "zTXt":
                    entries.Add(ReadZTxt(data, pos));
                    break;
                case "iTXt":
                    entries.Add(ReadITxt(data, pos));
                    break;
                case "IEND":
                    return entries;
            }
            pos += 12 + (int)length;
        }
    }

    public static IReadOnlyList<PngTextEntry> ReadFile(string path) => Read(File.ReadAllBytes(path));

    /// <summary>The text of the first chunk with this keyword, or null.</summary>
    public static string? Find(IEnumerable<PngTextEntry> entries, string keyword) =>
        entries.FirstOrDefault(e => e.Keyword == keyword)?.Text;

    private static int KeywordEnd(ReadOnlySpan<byte> data, int chunkPos, string type)
    {
        int nul = data.IndexOf((byte)0);
        if (nul is < 1 or > 79)
            throw new InvalidDataException($"{type} chunk at byte {chunkPos} has no valid keyword (1-79 bytes followed by NUL).");
        return nul;
    }

    private static PngTextEntry ReadTExt(ReadOnlySpan<byte> data, int chunkPos)
    {
        int nul = KeywordEnd(data, chunkPos, "tEXt");
        return new PngTextEntry(Encoding.Latin1.GetString(data[..nul]), Encoding.Latin1.GetString(data[(nul + 1)..]));
    }

    private static PngTextEntry ReadZTxt(ReadOnlySpan<byte> data, int chunkPos)
    {
        int nul = KeywordEnd(data, chunkPos, "zTXt");
        if (nul + 1 >= data.Length || data[nul + 1] != 0)
            throw new InvalidDataException($"zTXt chunk at byte {chunkPos} uses an unknown compression method.");
        var text = Inflate(data[(nul + 2)..], chunkPos, "zTXt");
        return new PngTextEntry(Encoding.Latin1.GetString(data[..nul]), Encoding.Latin1.GetString(text));
    }

    private static PngTextEntry ReadITxt(ReadOnlySpan<byte> data, int chunkPos)
    {
        int nul = KeywordEnd(data, chunkPos, "iTXt");
        int p = nul + 1;
        if (p + 2 > data.Length)
            throw new InvalidDataException($"iTXt chunk at byte {chunkPos} is too short for its compression fields.");
        byte flag = data[p];
        byte method = data[p + 1];
        if (flag > 1 || (flag == 1 && method != 0))
            throw new InvalidDataException($"iTXt chunk at byte {chunkPos} has compression flag {flag} and method {method}; only 0/0 and 1/0 exist.");
        p += 2;
        for (int field = 0; field < 2; field++)
        {
            int end = data[p..].IndexOf((byte)0);
            if (end < 0)
                throw new InvalidDataException($"iTXt chunk at byte {chunkPos} lacks its language tag or translated keyword.");
            p += end + 1;
        }
        var textBytes = flag == 1 ? Inflate(data[p..], chunkPos, "iTXt") : data[p..].ToArray();
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(textBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"iTXt chunk at byte {chunkPos} holds text that is not valid UTF-8.");
        }
        return new PngTextEntry(Encoding.Latin1.GetString(data[..nul]), text);
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed, int chunkPos, string type)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{type} chunk at byte {chunkPos} holds a corrupt zlib stream ({e.Message}).", e);
        }
    }
}
