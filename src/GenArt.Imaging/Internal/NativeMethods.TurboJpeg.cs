using System.Runtime.InteropServices;

namespace GenArt.Imaging.Internal;

/// <summary>TurboJPEG 2.x API (turbojpeg.h) from libjpeg-turbo: the decompression subset.</summary>
internal static unsafe partial class NativeMethods
{
    private const string LibTurboJpeg = "libturbojpeg.so.0";

    public const int TjPixelFormatRgb = 0;
    public const int TjFlagAccurateDct = 4096;

    [LibraryImport(LibTurboJpeg, EntryPoint = "tjInitDecompress")]
    public static partial IntPtr TjInitDecompress();

    // unsigned long is 64-bit on LP64 Linux, hence nuint.
    [LibraryImport(LibTurboJpeg, EntryPoint = "tjDecompressHeader3")]
    public static partial int TjDecompressHeader3(IntPtr handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(LibTurboJpeg, EntryPoint = "tjDecompress2")]
    public static partial int TjDecompress2(IntPtr handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(LibTurboJpeg, EntryPoint = "tjDestroy")]
    public static partial int TjDestroy(IntPtr handle);

    [LibraryImport(LibTurboJpeg, EntryPoint = "tjGetErrorStr2")]
    public static partial IntPtr TjGetErrorStr2(IntPtr handle);

    public static string TjErrorMessage(IntPtr handle) => Marshal.PtrToStringUTF8(TjGetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
