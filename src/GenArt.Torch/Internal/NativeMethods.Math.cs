using System.Runtime.InteropServices;

namespace GenArt.Torch.Internal;

/// <summary>Op codes of native/math.h; the numbering must match the C enums.</summary>
internal enum UnaryOp
{
    Neg = 0, Exp, Log, Sin, Cos, Sqrt, Rsqrt, Abs, Sigmoid, Tanh, Relu, Silu, Gelu, GeluTanh, Square, Sign, Floor,
    Ceil, Round, Reciprocal, Erf, Log1p, Expm1, IsNan, IsFinite, LogicalNot, QuickGelu,
}

internal enum BinaryOp
{
    Add = 0, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, Remainder, LogicalAnd, LogicalOr, Atan2,
}

internal enum ReduceOp { Sum = 0, Mean, Amax, Amin, Var, Std, Prod }

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_unary(IntPtr t, int op);
    [LibraryImport(Lib)] internal static partial int gat_math_unary_(IntPtr t, int op);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_binary(IntPtr a, IntPtr b, int op, double alpha);
    [LibraryImport(Lib)] internal static partial int gat_math_binary_(IntPtr a, IntPtr b, int op, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_binary_scalar(IntPtr a, double s, long si, int isInt, int op, int reverse);
    [LibraryImport(Lib)] internal static partial int gat_math_binary_scalar_(IntPtr a, double s, long si, int isInt, int op);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_reduce(IntPtr t, int op, long* dims, int ndims, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_reduce_all(IntPtr t, int op);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_argmax(IntPtr t, long dim, int keepdim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_cumsum(IntPtr t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_cumprod(IntPtr t, long dim);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_clamp(IntPtr t, double min, int hasMin, double max, int hasMax);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_where(IntPtr cond, IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_lerp(IntPtr a, IntPtr b, IntPtr weight, double scalarWeight);
    [LibraryImport(Lib)] internal static partial int gat_math_allclose(IntPtr a, IntPtr b, double rtol, double atol);
    [LibraryImport(Lib)] internal static partial int gat_math_equal(IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_matmul(IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_bmm(IntPtr a, IntPtr b);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_baddbmm(IntPtr input, IntPtr a, IntPtr b, double beta, double alpha);
    [LibraryImport(Lib)] internal static partial IntPtr gat_math_addmm(IntPtr input, IntPtr a, IntPtr b, double beta, double alpha);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] internal static partial IntPtr gat_math_einsum(string equation, IntPtr* ts, int n);
}
