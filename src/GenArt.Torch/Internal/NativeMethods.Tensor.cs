using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial void gat_tensor_free(IntPtr t);

    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_from_data(void* data, long nbytes, long* shape, int ndim, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_empty(long* shape, int ndim, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_full(long* shape, int ndim, double value, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_arange(double start, double end, double step, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_linspace(double start, double end, long steps, sbyte dtype, int devType, int devIndex);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_scalar(double value, sbyte dtype, int devType, int devIndex);

    [LibraryImport(Lib)] internal static partial int gat_tensor_ndim(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_tensor_shape(IntPtr t, long* shape);
    [LibraryImport(Lib)] internal static partial int gat_tensor_strides(IntPtr t, long* strides);
    [LibraryImport(Lib)] internal static partial long gat_tensor_numel(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_tensor_dtype(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_tensor_device(IntPtr t, int* type, int* index);
    [LibraryImport(Lib)] internal static partial int gat_tensor_is_contiguous(IntPtr t);

    [LibraryImport(Lib)] internal static partial int gat_tensor_copy_to(IntPtr t, void* dst, long nbytes);
    [LibraryImport(Lib)] internal static partial int gat_tensor_item(IntPtr t, double* value);
    [LibraryImport(Lib)] internal static partial int gat_tensor_item_long(IntPtr t, long* value);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_to(IntPtr t, sbyte dtype, int devType, int devIndex, int copy);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_clone(IntPtr t);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_detach(IntPtr t);
    [LibraryImport(Lib)] internal static partial int gat_tensor_copy_(IntPtr dst, IntPtr src);
    [LibraryImport(Lib)] internal static partial int gat_tensor_fill_(IntPtr t, double value);

    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_view(IntPtr t, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_reshape(IntPtr t, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_permute(IntPtr t, long* dims, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_transpose(IntPtr t, long dim0, long dim1);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_contiguous(IntPtr t);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_flatten(IntPtr t, long start, long end);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_unsqueeze(IntPtr t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_squeeze(IntPtr t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_expand(IntPtr t, long* shape, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_repeat(IntPtr t, long* repeats, int ndim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_slice(IntPtr t, long dim, long start, long end, long step);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_select(IntPtr t, long dim, long index);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_index_select(IntPtr t, long dim, IntPtr index);
    [LibraryImport(Lib)] internal static partial int gat_tensor_index_add_(IntPtr t, long dim, IntPtr index, IntPtr source);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_gather(IntPtr t, long dim, IntPtr index);

    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_cat(IntPtr* ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_tensor_stack(IntPtr* ts, int n, long dim);
    [LibraryImport(Lib)] internal static partial int gat_tensor_chunk(IntPtr t, long chunks, long dim, IntPtr* outp, int capacity);
    [LibraryImport(Lib)] internal static partial int gat_tensor_split(IntPtr t, long* sizes, int n, long dim, IntPtr* outp, int capacity);
}
