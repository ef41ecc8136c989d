using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int gat_autograd_set_requires_grad(IntPtr t, int requiresGrad);
    [LibraryImport(Lib)] internal static partial int gat_autograd_requires_grad(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_autograd_backward(IntPtr t, IntPtr gradient, int retainGraph);
    [LibraryImport(Lib)] internal static partial IntPtr gat_autograd_grad(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_autograd_zero_grad(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_autograd_is_enabled();
    [LibraryImport(Lib)] internal static partial IntPtr gat_autograd_no_grad_enter();
    [LibraryImport(Lib)] internal static partial IntPtr gat_autograd_enable_grad_enter();
    [LibraryImport(Lib)] internal static partial void gat_autograd_grad_mode_exit(IntPtr guard);
    [LibraryImport(Lib)] internal static partial IntPtr gat_autograd_inference_mode_enter();
    [LibraryImport(Lib)] internal static partial void gat_autograd_inference_mode_exit(IntPtr guard);
}
