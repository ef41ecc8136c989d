namespace GenArt.Imaging;

/// <summary>8-bit pixel layouts; the value is the number of channels.</summary>
public enum PixelFormat
{
    Gray8 = 1,
    Rgb8 = 3,
    Rgba8 = 4,
}
