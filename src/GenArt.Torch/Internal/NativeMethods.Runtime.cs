using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_runtime_version();
    [LibraryImport(Lib)] internal static partial int gat_runtime_cuda_available();
    [LibraryImport(Lib)] internal static partial int gat_runtime_cuda_device_count();
    [LibraryImport(Lib)] internal static partial int gat_runtime_cuda_synchronize(int deviceIndex);
    [LibraryImport(Lib)] internal static partial int gat_runtime_get_num_threads();
    [LibraryImport(Lib)] internal static partial int gat_runtime_set_num_threads(int n);
    [LibraryImport(Lib)] internal static partial int gat_runtime_has_native_sdpa();
    [LibraryImport(Lib)] internal static partial IntPtr gat_runtime_config();
}
