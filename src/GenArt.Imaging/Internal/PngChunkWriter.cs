using System.Buffers.Binary;
using System.Text;

namespace GenArt.Imaging.Internal;

/// <summary>Writes PNG chunks: 4-byte big-endian length, 4-byte type, data, CRC over type and data (PNG spec 5.3).</summary>
internal static class PngChunkWriter
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void Write(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        output.Write(header);
        output.Write(data);
        uint crc = Crc32.Update(0xFFFFFFFFu, header[4..]);
        crc = Crc32.Update(crc, data) ^ 0xFFFFFFFFu;
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, crc);
        output.Write(trailer);
    }
}
