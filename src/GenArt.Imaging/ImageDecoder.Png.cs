using GenArt.Imaging.Internal;

namespace GenArt.Imaging;

public static partial class ImageDecoder
{
    private static unsafe RasterImage DecodePng(ReadOnlySpan<byte> data, string fileName, ImageDecodeOptions options)
    {
        var image = new NativeMethods.PngImage { Version = NativeMethods.PngImageVersion };
        try
        {
            fixed (byte* input = data)
            {
                if (NativeMethods.PngImageBeginReadFromMemory(ref image, input, (nuint)data.Length) == 0 || image.Failed)
                    throw Corrupt(fileName, "PNG", image.MessageText);

                CheckPixelLimit(fileName, image.Width, image.Height, options);

                // libpng converts every colour type, bit depth and interlacing to 8-bit sRGB; an alpha channel
                // is composited onto the background colour.
                image.Format = NativeMethods.PngFormatRgb;
                int stride = checked((int)image.Width * 3);
                var pixels = new byte[checked(stride * (int)image.Height)];
                var background = new NativeMethods.PngColor { Red = options.Background.R, Green = options.Background.G, Blue = options.Background.B };
                fixed (byte* output = pixels)
                {
                    if (NativeMethods.PngImageFinishRead(ref image, &background, output, stride, null) == 0 || image.Failed)
                        throw Corrupt(fileName, "PNG", image.MessageText);
                }
                return new RasterImage((int)image.Width, (int)image.Height, PixelFormat.Rgb8, pixels);
            }
        }
        finally
        {
            // Safe after success (finish_read already freed it) and after failure alike.
            NativeMethods.PngImageFree(ref image);
        }
    }

    private static ImageDecodeException Corrupt(string fileName, string format, string message) =>
        new(fileName, ImageDecodeRule.Corrupt,
            $"corrupt or unreadable {format} data ({(string.IsNullOrEmpty(message) ? "no detail from the decoder" : message)}).");
}
