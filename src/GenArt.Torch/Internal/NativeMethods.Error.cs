using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_error_take();
    [LibraryImport(Lib)] internal static partial void gat_error_free(IntPtr message);
}
