using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

public sealed unsafe partial class Tensor
{
    public Tensor view(params long[] shape)
    {
        fixed (long* p = shape) return From(gat_tensor_view(Handle, p, shape.Length), "view");
    }

    public Tensor reshape(params long[] shape)
    {
        fixed (long* p = shape) return From(gat_tensor_reshape(Handle, p, shape.Length), "reshape");
    }

    public Tensor permute(params long[] dims)
    {
        fixed (long* p = dims) return From(gat_tensor_permute(Handle, p, dims.Length), "permute");
    }

    public Tensor transpose(long dim0, long dim1) => From(gat_tensor_transpose(Handle, dim0, dim1), "transpose");

    public Tensor contiguous() => From(gat_tensor_contiguous(Handle), "contiguous");

    public Tensor flatten(long startDim = 0, long endDim = -1) => From(gat_tensor_flatten(Handle, startDim, endDim), "flatten");

    public Tensor unsqueeze(long dim) => From(gat_tensor_unsqueeze(Handle, dim), "unsqueeze");

    public Tensor squeeze(long dim) => From(gat_tensor_squeeze(Handle, dim), "squeeze");

    public Tensor expand(params long[] shape)
    {
        fixed (long* p = shape) return From(gat_tensor_expand(Handle, p, shape.Length), "expand");
    }

    public Tensor repeat(params long[] repeats)
    {
        fixed (long* p = repeats) return From(gat_tensor_repeat(Handle, p, repeats.Length), "repeat");
    }

    /// <summary>Elements start..end (exclusive) with a step along <paramref name="dim"/>, as a view.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => From(gat_tensor_slice(Handle, dim, start, end, step), "slice");

    public Tensor narrow(long dim, long start, long length) => slice(dim, start, start + length);

    public Tensor select(long dim, long index) => From(gat_tensor_select(Handle, dim, index), "select");

    public Tensor index_select(long dim, Tensor index) => From(gat_tensor_index_select(Handle, dim, index.Handle), "index_select");

    /// <summary>In place: adds slice i of <paramref name="source"/> along <paramref name="dim"/> to slice index[i] of this
    /// tensor, in index order (a repeated index accumulates). Returns this tensor.</summary>
    public Tensor index_add_(long dim, Tensor index, Tensor source)
    {
        Check(gat_tensor_index_add_(Handle, dim, index.Handle, source.Handle), "index_add_");
        return this;
    }

    public Tensor gather(long dim, Tensor index) => From(gat_tensor_gather(Handle, dim, index.Handle), "gather");

    public Tensor[] chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "chunk needs a positive number of chunks");
        var handles = new IntPtr[chunks];
        int n;
        fixed (IntPtr* p = handles) n = Check(gat_tensor_chunk(Handle, chunks, dim, p, handles.Length), "chunk");
        return Wrap(handles, n);
    }

    public Tensor[] split(long[] sizes, long dim = 0)
    {
        var handles = new IntPtr[sizes.Length];
        int n;
        fixed (long* s = sizes)
        fixed (IntPtr* p = handles)
            n = Check(gat_tensor_split(Handle, s, sizes.Length, dim, p, handles.Length), "split");
        return Wrap(handles, n);
    }

    private static Tensor[] Wrap(IntPtr[] handles, int n)
    {
        var result = new Tensor[n];
        for (int i = 0; i < n; i++) result[i] = new Tensor(handles[i]);
        return result;
    }
}
