using System.Runtime.InteropServices;

namespace GenArt.Imaging.Internal;

/// <summary>libpng 1.6 simplified read API (png.h, "SIMPLIFIED API", PNG_IMAGE_VERSION 1).</summary>
internal static unsafe partial class NativeMethods
{
    private const string LibPng = "libpng16.so.16";

    public const uint PngImageVersion = 1;
    public const uint PngFormatFlagAlpha = 0x01;
    public const uint PngFormatFlagColor = 0x02;
    public const uint PngFormatRgb = PngFormatFlagColor;
    public const uint PngImageError = 2;

    /// <summary>
    /// <c>png_image</c> exactly as png.h 1.6 lays it out on LP64: opaque pointer at 0, version 8, width 12,
    /// height 16, format 20, flags 24, colormap_entries 28, warning_or_error 32, message[64] at 36; 104 bytes
    /// with tail padding to pointer alignment.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PngImage
    {
        public IntPtr Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];

        public readonly bool Failed => (WarningOrError & 0x03) > 1;

        public readonly string MessageText
        {
            get
            {
                fixed (byte* p = Message)
                    return Marshal.PtrToStringUTF8((IntPtr)p) ?? "";
            }
        }
    }

    /// <summary><c>png_color</c>: three bytes, red, green, blue.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PngColor
    {
        public byte Red;
        public byte Green;
        public byte Blue;
    }

    [LibraryImport(LibPng, EntryPoint = "png_image_begin_read_from_memory")]
    public static partial int PngImageBeginReadFromMemory(ref PngImage image, byte* memory, nuint size);

    [LibraryImport(LibPng, EntryPoint = "png_image_finish_read")]
    public static partial int PngImageFinishRead(ref PngImage image, PngColor* background, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(LibPng, EntryPoint = "png_image_free")]
    public static partial void PngImageFree(ref PngImage image);
}
