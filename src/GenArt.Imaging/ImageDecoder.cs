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
            ImageFormat.Png => WithNativeLibrary(data, fileName, options, DecodePng, "libpng16.so.16", "libpng16-16"),
            ImageFormat.Jpeg => WithNativeLibrary(data, fileName, options, DecodeJpeg, "libturbojpeg.so.0", "libturbojpeg0"),
            ImageFormat.Unknown => throw new ImageDecodeException(fileName, ImageDecodeRule.UnsupportedFormat,
                "unrecognised image format; only PNG and JPEG uploads are accepted."),
            _ => throw new ImageDecodeException(fileName, ImageDecodeRule.UnsupportedFormat,
                $"{format} images are not accepted; only PNG and JPEG uploads are."),
        };
    }

    private delegate RasterImage NativeDecode(ReadOnlySpan<byte> data, string fileName, ImageDecodeOptions options);

    // A missing system library is a deployment problem, not a bad upload: say which package provides it.
    private static RasterImage WithNativeLibrary(ReadOnlySpan<byte> data, string fileName, ImageDecodeOptions options,
        NativeDecode decode, string library, string package)
    {
        try
        {
            return decode(data, fileName, options);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException($"Cannot decode {fileName}: {library} could not be loaded (install the Debian package {package}).", e);
        }
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
