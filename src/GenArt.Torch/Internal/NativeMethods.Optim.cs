using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_optim_adamw_new(IntPtr* parameters, int n, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad);
    [LibraryImport(Lib)] internal static partial int gat_optim_step(IntPtr o);
    [LibraryImport(Lib)] internal static partial int gat_optim_zero_grad(IntPtr o);
    [LibraryImport(Lib)] internal static partial int gat_optim_set_lr(IntPtr o, double lr);
    [LibraryImport(Lib)] internal static partial void gat_optim_free(IntPtr o);
}
