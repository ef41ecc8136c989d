using System.Buffers.Binary;

namespace GenArt.Imaging;

/// <summary>
/// Finds the Orientation tag of a JPEG's EXIF block: the APP1 segment that starts with "Exif\0\0" holds a TIFF
/// structure (TIFF 6.0 section 2: byte-order mark "II"/"MM", 42, offset of IFD0) whose IFD0 may carry tag 274.
/// </summary>
public static class ExifOrientationReader
{
    private const ushort OrientationTag = 0x0112;
    private const ushort TypeShort = 3;

    /// <summary>The orientation, or <see cref="ExifOrientation.Normal"/> when absent or malformed.</summary>
    public static ExifOrientation Read(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
            return ExifOrientation.Normal;
        int pos = 2;
        // JPEG markers (ITU-T T.81 B.1.1.2): 0xFF (possibly repeated as fill) then the marker code; all
        // markers before the scan carry a 2-byte big-endian length that counts itself.
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos] != 0xFF)
                return ExifOrientation.Normal;
            byte marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }
            if (marker is 0xDA or 0xD9)
                return ExifOrientation.Normal;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;
                continue;
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length)
                return ExifOrientation.Normal;
            var payload = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && payload.StartsWith("Exif\0\0"u8))
                return FromTiff(payload[6..]);
            pos += 2 + length;
        }
        return ExifOrientation.Normal;
    }

    private static ExifOrientation FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
            return ExifOrientation.Normal;
        bool little;
        if (tiff.StartsWith("II"u8))
            little = true;
        else if (tiff.StartsWith("MM"u8))
            little = false;
        else
            return ExifOrientation.Normal;

        if (U16(tiff, 2, little) != 42)
            return ExifOrientation.Normal;
        uint ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd + 2 > tiff.Length)
            return ExifOrientation.Normal;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + i * 12;
            if (entry + 12 > tiff.Length)
                break;
            if (U16(tiff, entry, little) != OrientationTag)
                continue;
            if (U16(tiff, entry + 2, little) != TypeShort || U32(tiff, entry + 4, little) != 1)
                return ExifOrientation.Normal;
            int value = U16(tiff, entry + 8, little);
            return value is >= 1 and <= 8 ? (ExifOrientation)value : ExifOrientation.Normal;
        }
        return ExifOrientation.Normal;
    }

    private static ushort U16(ReadOnlySpan<byte> tiff, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(tiff[offset..]) : BinaryPrimitives.ReadUInt16BigEndian(tiff[offset..]);

    private static uint U32(ReadOnlySpan<byte> tiff, int offset, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[offset..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[offset..]);
}
