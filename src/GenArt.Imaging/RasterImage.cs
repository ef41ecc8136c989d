namespace GenArt.Imaging;

/// <summary>
/// An 8-bit image in memory: rows top to bottom, pixels left to right, channels interleaved, no row padding.
/// </summary>
public sealed class RasterImage
{
    public RasterImage(int width, int height, PixelFormat format, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (height <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "format must be Gray8, Rgb8 or Rgba8.");
        long expected = (long)width * height * (int)format;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"pixels holds {pixels.LongLength} bytes; a {width}x{height} {format} image needs {expected}.", nameof(pixels));
        Width = width;
        Height = height;
        Format = format;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public PixelFormat Format { get; }

    public int Channels => (int)Format;

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    public byte[] Pixels { get; }

    /// <summary>A new black (and, for RGBA, transparent) image.</summary>
    public static RasterImage Create(int width, int height, PixelFormat format) =>
        new(width, height, format, new byte[checked(width * height * (int)format)]);

    /// <summary>The channel values of one pixel.</summary>
    public ReadOnlySpan<byte> GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width)
            throw new ArgumentOutOfRangeException(nameof(x), x, $"x must be in [0, {Width}).");
        if ((uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(y), y, $"y must be in [0, {Height}).");
        return Pixels.AsSpan((y * Width + x) * Channels, Channels);
    }
}
