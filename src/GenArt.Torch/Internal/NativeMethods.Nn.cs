using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_linear(IntPtr x, IntPtr weight, IntPtr bias);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_conv2d(IntPtr x, IntPtr weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_group_norm(IntPtr x, long groups, IntPtr weight, IntPtr bias, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_layer_norm(IntPtr x, long* shape, int ndim, IntPtr weight, IntPtr bias, double eps);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_softmax(IntPtr x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_log_softmax(IntPtr x, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_sdpa(IntPtr q, IntPtr k, IntPtr v, IntPtr mask, int isCausal, double scale);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_sdpa_composed(IntPtr q, IntPtr k, IntPtr v, IntPtr mask, int isCausal, double scale);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_upsample_nearest2d(IntPtr x, long outH, long outW);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_upsample_bilinear2d(IntPtr x, long outH, long outW, int alignCorners, int antialias);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_avg_pool2d(IntPtr x, long kernel, long stride);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_pad(IntPtr x, long* pads, int npads, double value);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_embedding(IntPtr weight, IntPtr indices);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_mse_loss(IntPtr input, IntPtr target, int reduction);
    [LibraryImport(Lib)] internal static partial IntPtr gat_nn_dropout(IntPtr x, double p, int train);
}
