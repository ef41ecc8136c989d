using GenArt.Torch.Internal;
using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

/// <summary>Element-wise arithmetic with broadcasting, and its operators.</summary>
public sealed partial class Tensor
{
    internal Tensor Unary(UnaryOp op) => From(gat_math_unary(Handle, (int)op), op.ToString().ToLowerInvariant());

    internal Tensor UnaryInPlace(UnaryOp op)
    {
        Check(gat_math_unary_(Handle, (int)op), op.ToString().ToLowerInvariant() + "_");
        return this;
    }

    internal Tensor Binary(Tensor other, BinaryOp op, double alpha = 1) =>
        From(gat_math_binary(Handle, other.Handle, (int)op, alpha), op.ToString().ToLowerInvariant());

    internal Tensor BinaryInPlace(Tensor other, BinaryOp op, double alpha = 1)
    {
        Check(gat_math_binary_(Handle, other.Handle, (int)op, alpha), op.ToString().ToLowerInvariant() + "_");
        return this;
    }

    internal Tensor Scalar(double s, BinaryOp op, bool reverse = false) =>
        From(gat_math_binary_scalar(Handle, s, 0, 0, (int)op, reverse ? 1 : 0), op.ToString().ToLowerInvariant());

    internal Tensor Scalar(long s, BinaryOp op, bool reverse = false) =>
        From(gat_math_binary_scalar(Handle, s, s, 1, (int)op, reverse ? 1 : 0), op.ToString().ToLowerInvariant());

    internal Tensor ScalarInPlace(double s, BinaryOp op)
    {
        Check(gat_math_binary_scalar_(Handle, s, 0, 0, (int)op), op.ToString().ToLowerInvariant() + "_");
        return this;
    }

    public Tensor add(Tensor other, double alpha = 1) => Binary(other, BinaryOp.Add, alpha);
    public Tensor add(double s) => Scalar(s, BinaryOp.Add);
    public Tensor add(long s) => Scalar(s, BinaryOp.Add);
    public Tensor add_(Tensor other, double alpha = 1) => BinaryInPlace(other, BinaryOp.Add, alpha);
    public Tensor add_(double s) => ScalarInPlace(s, BinaryOp.Add);
    public Tensor sub(Tensor other, double alpha = 1) => Binary(other, BinaryOp.Sub, alpha);
    public Tensor sub(double s) => Scalar(s, BinaryOp.Sub);
    public Tensor sub_(Tensor other, double alpha = 1) => BinaryInPlace(other, BinaryOp.Sub, alpha);
    public Tensor sub_(double s) => ScalarInPlace(s, BinaryOp.Sub);
    public Tensor mul(Tensor other) => Binary(other, BinaryOp.Mul);
    public Tensor mul(double s) => Scalar(s, BinaryOp.Mul);
    public Tensor mul(long s) => Scalar(s, BinaryOp.Mul);
    public Tensor mul_(Tensor other) => BinaryInPlace(other, BinaryOp.Mul);
    public Tensor mul_(double s) => ScalarInPlace(s, BinaryOp.Mul);
    public Tensor div(Tensor other) => Binary(other, BinaryOp.Div);
    public Tensor div(double s) => Scalar(s, BinaryOp.Div);
    public Tensor div_(Tensor other) => BinaryInPlace(other, BinaryOp.Div);
    public Tensor div_(double s) => ScalarInPlace(s, BinaryOp.Div);
    public Tensor pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor pow(double exponent) => Scalar(exponent, BinaryOp.Pow);
    public Tensor maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor remainder(double s) => Scalar(s, BinaryOp.Remainder);
    public Tensor atan2(Tensor other) => Binary(other, BinaryOp.Atan2);

    public Tensor eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor eq(double s) => Scalar(s, BinaryOp.Eq);
    public Tensor ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor lt(double s) => Scalar(s, BinaryOp.Lt);
    public Tensor le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor gt(double s) => Scalar(s, BinaryOp.Gt);
    public Tensor ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor ge(double s) => Scalar(s, BinaryOp.Ge);
    public Tensor logical_and(Tensor other) => Binary(other, BinaryOp.LogicalAnd);
    public Tensor logical_or(Tensor other) => Binary(other, BinaryOp.LogicalOr);
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot);

    public Tensor neg() => Unary(UnaryOp.Neg);
    public Tensor exp() => Unary(UnaryOp.Exp);
    public Tensor log() => Unary(UnaryOp.Log);
    public Tensor sin() => Unary(UnaryOp.Sin);
    public Tensor cos() => Unary(UnaryOp.Cos);
    public Tensor sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor abs() => Unary(UnaryOp.Abs);
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor tanh() => Unary(UnaryOp.Tanh);
    public Tensor relu() => Unary(UnaryOp.Relu);
    public Tensor silu() => Unary(UnaryOp.Silu);
    public Tensor silu_() => UnaryInPlace(UnaryOp.Silu);
    public Tensor square() => Unary(UnaryOp.Square);
    public Tensor sign() => Unary(UnaryOp.Sign);
    public Tensor floor() => Unary(UnaryOp.Floor);
    public Tensor ceil() => Unary(UnaryOp.Ceil);
    public Tensor round() => Unary(UnaryOp.Round);
    public Tensor reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor erf() => Unary(UnaryOp.Erf);
    public Tensor log1p() => Unary(UnaryOp.Log1p);
    public Tensor expm1() => Unary(UnaryOp.Expm1);
    public Tensor isnan() => Unary(UnaryOp.IsNan);
    public Tensor isfinite() => Unary(UnaryOp.IsFinite);
    public Tensor exp_() => UnaryInPlace(UnaryOp.Exp);
    public Tensor sqrt_() => UnaryInPlace(UnaryOp.Sqrt);
    public Tensor neg_() => UnaryInPlace(UnaryOp.Neg);

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double s) => a.add(s);
    public static Tensor operator +(double s, Tensor a) => a.add(s);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double s) => a.sub(s);
    public static Tensor operator -(double s, Tensor a) => a.Scalar(s, BinaryOp.Sub, reverse: true);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double s) => a.mul(s);
    public static Tensor operator *(double s, Tensor a) => a.mul(s);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double s) => a.div(s);
    public static Tensor operator /(double s, Tensor a) => a.Scalar(s, BinaryOp.Div, reverse: true);
    public static Tensor operator -(Tensor a) => a.neg();
}
