namespace GenArt.Imaging;

/// <summary>Image container formats recognised by their leading bytes.</summary>
public enum ImageFormat
{
    Unknown,
    Png,
    Jpeg,
    Gif,
    Bmp,
    WebP,
    Tiff,
    Heif,
    Avif,
}

/// <summary>Format detection from magic bytes, never from file names.</summary>
public static class ImageFormatDetector
{
    public static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            return ImageFormat.Png;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
            return ImageFormat.Jpeg;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
            return ImageFormat.Gif;
        if (data.StartsWith("BM"u8) && data.Length >= 14)
            return ImageFormat.Bmp;
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
            return ImageFormat.WebP;
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8))
            return ImageFormat.Tiff;
        // ISO base media file (HEIF/AVIF): a 'ftyp' box whose major brand names the format.
        if (data.Length >= 12 && data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = data.Slice(8, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
                return ImageFormat.Avif;
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8))
                return ImageFormat.Heif;
        }
        return ImageFormat.Unknown;
    }
}
