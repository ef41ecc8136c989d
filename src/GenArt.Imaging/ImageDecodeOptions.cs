namespace GenArt.Imaging;

public sealed record ImageDecodeOptions
{
    /// <summary>Largest accepted width × height, checked from the header before any pixel is decoded.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>
    /// Colour that transparent PNG pixels are composited onto (sRGB). libpng's simplified API blends in linear
    /// light, so 50% black over white comes out as sRGB 188, not 128.
    /// </summary>
    public (byte R, byte G, byte B) Background { get; init; } = (255, 255, 255);

    /// <summary>Rotate/flip JPEGs as their EXIF orientation tag says (TIFF tag 274).</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    public static ImageDecodeOptions Default { get; } = new();
}
