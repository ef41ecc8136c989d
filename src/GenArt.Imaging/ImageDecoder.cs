namespace GenArt.Imaging;

/// <summary>
/// Decodes uploaded PNG and JPEG images to RGB8 through the system's libpng 1.6 and libjpeg-turbo (TurboJPEG).
/// </summary>
/// <remarks>
/// Every refusal is an <see cref="ImageDecodeException"/> naming the file and the rule: unsupported formats are
/// recognised by magic bytes, the pixel limit is checked from the header before pixels are allocated, and any
/// error or warning from the native decoder (truncation, bad CRC, bad Huffman data) refuses the file rather
/// than passing on a partly grey image.
/// </remarks>
public static partial class ImageDecoder
{
    public static RasterImage DecodeFile(string path, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode(File.ReadAllBytes(path), Path.GetFileName(path), options);
    }

    public static RasterImage Decode(ReadOnlySpan<byte> data, string fileName, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        options ??= ImageDecodeOptions.Default;
        if (options.MaxPixels <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxPixels, "MaxPixels must be positive.");
        if (data.IsEmpty)
            throw new ImageDecodeException(fileName, ImageDecodeRule.Empty, "the file is empty.");

        var format = ImageFormatDetector.Detect(data);
        return format switch
        {
            ImageFormat.Png => DecodePng(data, fileName, options),
            ImageFormat.Jpeg => DecodeJpeg(data, fileName, options),
            ImageFormat.Unknown => throw new ImageDecodeException(fileName, ImageDecodeRule.UnsupportedFormat,
                "unrecognised image format; only PNG and JPEG uploads are accepted."),
            _ => throw new ImageDecodeException(fileName, ImageDecodeRule.UnsupportedFormat,
                $"{format} images are not accepted; only PNG and JPEG uploads are."),
        };
    }

    private static void CheckPixelLimit(string fileName, long width, long height, ImageDecodeOptions options)
    {
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException(fileName, ImageDecodeRule.Corrupt, $"the header declares an empty {width}x{height} image.");
        if (width * height > options.MaxPixels)
        {
            throw new ImageDecodeException(fileName, ImageDecodeRule.TooManyPixels,
                $"{width}x{height} is {width * height:N0} pixels, over the limit of {options.MaxPixels:N0} pixels.");
        }
        // A single RGB8 buffer is a .NET array, limited to Array.MaxLength bytes whatever MaxPixels allows.
        if (width * height * 3 > Array.MaxLength)
        {
            throw new ImageDecodeException(fileName, ImageDecodeRule.TooManyPixels,
                $"{width}x{height} needs {width * height * 3:N0} bytes as RGB8, more than one buffer can hold.");
        }
    }
}
