using GenArt.Torch.Internal;
using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>Reductions, clamping, selection and matrix products.</summary>
public sealed unsafe partial class Tensor
{
    private Tensor Reduce(ReduceOp op, long[] dims, bool keepdim)
    {
        fixed (long* p = dims)
            return From(gat_math_reduce(Handle, (int)op, p, dims.Length, keepdim ? 1 : 0), op.ToString().ToLowerInvariant());
    }

    private Tensor ReduceAll(ReduceOp op) => From(gat_math_reduce_all(Handle, (int)op), op.ToString().ToLowerInvariant());

    public Tensor sum() => ReduceAll(ReduceOp.Sum);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, keepdim);
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], keepdim);
    public Tensor mean() => ReduceAll(ReduceOp.Mean);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, keepdim);
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], keepdim);
    public Tensor max() => ReduceAll(ReduceOp.Amax);
    public Tensor min() => ReduceAll(ReduceOp.Amin);
    public Tensor amax(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amax, dims, keepdim);
    public Tensor amin(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amin, dims, keepdim);
    /// <summary>Unbiased variance.</summary>
    public Tensor var() => ReduceAll(ReduceOp.Var);
    public Tensor var(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Var, dims, keepdim);
    /// <summary>Unbiased standard deviation.</summary>
    public Tensor std() => ReduceAll(ReduceOp.Std);
    public Tensor std(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Std, dims, keepdim);
    public Tensor prod() => ReduceAll(ReduceOp.Prod);
    public Tensor prod(long dim, bool keepdim = false) => Reduce(ReduceOp.Prod, [dim], keepdim);
    public Tensor argmax(long dim, bool keepdim = false) => From(gat_math_argmax(Handle, dim, keepdim ? 1 : 0), "argmax");
    public Tensor cumsum(long dim) => From(gat_math_cumsum(Handle, dim), "cumsum");
    public Tensor cumprod(long dim) => From(gat_math_cumprod(Handle, dim), "cumprod");

    public Tensor clamp(double? min = null, double? max = null) =>
        From(gat_math_clamp(Handle, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0), "clamp");

    public Tensor clamp_min(double min) => clamp(min, null);
    public Tensor clamp_max(double max) => clamp(null, max);

    /// <summary>this + weight * (end - this).</summary>
    public Tensor lerp(Tensor end, double weight) => From(gat_math_lerp(Handle, end.Handle, IntPtr.Zero, weight), "lerp");
    public Tensor lerp(Tensor end, Tensor weight) => From(gat_math_lerp(Handle, end.Handle, weight.Handle, 0), "lerp");

    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8) =>
        Check(gat_math_allclose(Handle, other.Handle, rtol, atol), "allclose") != 0;

    /// <summary>True when both tensors have the same shape and elements.</summary>
    public bool equal(Tensor other) => Check(gat_math_equal(Handle, other.Handle), "equal") != 0;

    public Tensor matmul(Tensor other) => From(gat_math_matmul(Handle, other.Handle), "matmul");
    public Tensor bmm(Tensor other) => From(gat_math_bmm(Handle, other.Handle), "bmm");

    /// <summary>beta * this + alpha * (batch1 @ batch2).</summary>
    public Tensor baddbmm(Tensor batch1, Tensor batch2, double beta = 1, double alpha = 1) =>
        From(gat_math_baddbmm(Handle, batch1.Handle, batch2.Handle, beta, alpha), "baddbmm");

    /// <summary>beta * this + alpha * (mat1 @ mat2).</summary>
    public Tensor addmm(Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1) =>
        From(gat_math_addmm(Handle, mat1.Handle, mat2.Handle, beta, alpha), "addmm");
}
