using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_generator_new(ulong seed);
    [LibraryImport(Lib)] internal static partial int gat_generator_set_seed(IntPtr g, ulong seed);
    [LibraryImport(Lib)] internal static partial void gat_generator_free(IntPtr g);
    [LibraryImport(Lib)] internal static partial IntPtr gat_generator_randn(IntPtr g, long* shape, int ndim, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_generator_rand(IntPtr g, long* shape, int ndim, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_generator_randint(IntPtr g, long low, long high, long* shape, int ndim, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial int gat_generator_manual_seed(ulong seed);
}
