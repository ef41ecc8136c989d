using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GenArt.Imaging.Internal;

namespace GenArt.Imaging.Tests;

[TestFixture]
public class NativeLayoutTests
{
    [Test]
    public void Png_image_struct_matches_png_h_on_lp64()
    {
        // sizeof/offsetof of png_image measured with gcc against /usr/include/png.h (libpng 1.6.39, x86-64).
        Assert.Multiple(() =>
        {
            Assert.That(Unsafe.SizeOf<NativeMethods.PngImage>(), Is.EqualTo(104));
            Assert.That((int)Marshal.OffsetOf<NativeMethods.PngImage>(nameof(NativeMethods.PngImage.Version)), Is.EqualTo(8));
            Assert.That((int)Marshal.OffsetOf<NativeMethods.PngImage>(nameof(NativeMethods.PngImage.Format)), Is.EqualTo(20));
            Assert.That((int)Marshal.OffsetOf<NativeMethods.PngImage>(nameof(NativeMethods.PngImage.WarningOrError)), Is.EqualTo(32));
            Assert.That((int)Marshal.OffsetOf<NativeMethods.PngImage>(nameof(NativeMethods.PngImage.Message)), Is.EqualTo(36));
            Assert.That(Unsafe.SizeOf<NativeMethods.PngColor>(), Is.EqualTo(3));
        });
    }
}
