using GenArt.Imaging.Internal;

namespace GenArt.Imaging;

public static partial class ImageDecoder
{
    private static unsafe RasterImage DecodeJpeg(ReadOnlySpan<byte> data, string fileName, ImageDecodeOptions options)
    {
        IntPtr handle = NativeMethods.TjInitDecompress();
        if (handle == IntPtr.Zero)
            throw new InvalidOperationException($"TurboJPEG could not create a decompressor: {NativeMethods.TjErrorMessage(IntPtr.Zero)}");
        try
        {
            RasterImage decoded;
            fixed (byte* input = data)
            {
                if (NativeMethods.TjDecompressHeader3(handle, input, (nuint)data.Length, out int width, out int height, out _, out _) != 0)
                    throw Corrupt(fileName, "JPEG", NativeMethods.TjErrorMessage(handle));

                CheckPixelLimit(fileName, width, height, options);

                int stride = checked(width * 3);
                var pixels = new byte[checked(stride * height)];
                fixed (byte* output = pixels)
                {
                    // A non-zero result includes warnings such as "Premature end of JPEG file": refuse those too.
                    if (NativeMethods.TjDecompress2(handle, input, (nuint)data.Length, output, width, stride, height,
                            NativeMethods.TjPixelFormatRgb, NativeMethods.TjFlagAccurateDct) != 0)
                        throw Corrupt(fileName, "JPEG", NativeMethods.TjErrorMessage(handle));
                }
                decoded = new RasterImage(width, height, PixelFormat.Rgb8, pixels);
            }

            if (!options.ApplyExifOrientation)
                return decoded;
            var orientation = ExifOrientationReader.Read(data);
            return ImageTransforms.ApplyOrientation(decoded, orientation);
        }
        finally
        {
            NativeMethods.TjDestroy(handle);
        }
    }
}
