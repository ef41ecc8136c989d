using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

public sealed unsafe partial class Tensor
{
    public long[] shape
    {
        get
        {
            int n = Check(gat_tensor_ndim(Handle), "ndim");
            var dims = new long[n];
            fixed (long* p = dims) Check(gat_tensor_shape(Handle, p), "shape");
            return dims;
        }
    }

    public long[] stride()
    {
        int n = Check(gat_tensor_ndim(Handle), "ndim");
        var s = new long[n];
        fixed (long* p = s) Check(gat_tensor_strides(Handle, p), "strides");
        return s;
    }

    public int ndim => Check(gat_tensor_ndim(Handle), "ndim");

    public int dim() => ndim;

    public long size(int dim)
    {
        var s = shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"a tensor of rank {s.Length} has no dimension {dim}");
        return s[d];
    }

    public long numel() => Check(gat_tensor_numel(Handle), "numel");

    public ScalarType dtype => (ScalarType)Check(gat_tensor_dtype(Handle), "dtype");

    public Device device
    {
        get
        {
            int type, index;
            Check(gat_tensor_device(Handle, &type, &index), "device");
            return new Device((DeviceType)type, index);
        }
    }

    public bool is_contiguous() => Check(gat_tensor_is_contiguous(Handle), "is_contiguous") != 0;
}
