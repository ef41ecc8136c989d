using static GenArt.Torch.Tests.Expect;

namespace GenArt.Torch.Tests;

public class ArithmeticTests
{
    [Test]
    public void BroadcastsBinaryOps()
    {
        using var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        using var row = F([10, 20, 30], 3);
        using var col = F([100, 200], 2, 1);
        using var sum = a + row;
        using var diff = a - col;
        using var prod = a * row;
        using var quot = a / col;
        Values(sum, [11, 22, 33, 14, 25, 36]);
        Values(diff, [-99, -98, -97, -196, -195, -194]);
        Values(prod, [10, 40, 90, 40, 100, 180]);
        Values(quot, [0.01f, 0.02f, 0.03f, 0.02f, 0.025f, 0.03f], 1e-7);
        using var scaled = a.add(row, alpha: 2);
        Values(scaled, [21, 42, 63, 24, 45, 66]);
    }

    [Test]
    public void AppliesScalarsOnEitherSide()
    {
        using var a = F([1, 2, 4]);
        using var r1 = a + 1.5;
        using var r2 = 10.0 - a;
        using var r3 = 2.0 * a;
        using var r4 = 8.0 / a;
        using var r5 = a.pow(2);
        using var r6 = -a;
        Values(r1, [2.5f, 3.5f, 5.5f]);
        Values(r2, [9, 8, 6]);
        Values(r3, [2, 4, 8]);
        Values(r4, [8, 4, 2]);
        Values(r5, [1, 4, 16]);
        Values(r6, [-1, -2, -4]);
    }

    [Test]
    public void IntegerScalarsKeepIntegerTensorsIntegral()
    {
        using var i = torch.tensor(new long[] { 1, 2, 3 });
        using var plus = i.add(2L);
        using var plusFloat = i.add(0.5);
        Assert.That(plus.dtype, Is.EqualTo(ScalarType.Int64));
        Assert.That(plus.data<long>(), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(plusFloat.dtype, Is.EqualTo(ScalarType.Float32));
    }

    [Test]
    public void UpdatesInPlace()
    {
        using var a = F([1, 2, 3]);
        using var b = F([1, 1, 1]);
        a.add_(b).mul_(2.0).sub_(1.0).div_(F([1, 2, 5]));
        Values(a, [3, 2.5f, 1.4f], 1e-6);
        a.fill_(0.5);
        Values(a, [0.5f, 0.5f, 0.5f]);
    }

    [Test]
    public void ComputesUnaryFunctions()
    {
        using var x = F([0, 1, 4]);
        using (var r = x.exp()) Values(r, [1, MathF.E, MathF.Exp(4)], 1e-4);
        using (var r = x.sin()) Values(r, [0, MathF.Sin(1), MathF.Sin(4)]);
        using (var r = x.cos()) Values(r, [1, MathF.Cos(1), MathF.Cos(4)]);
        using (var r = x.sqrt()) Values(r, [0, 1, 2]);
        using var y = F([1, 4, 16]);
        using (var r = y.rsqrt()) Values(r, [1, 0.5f, 0.25f]);
        using (var r = y.log()) Values(r, [0, MathF.Log(4), MathF.Log(16)]);
        using var z = F([-2, 0, 2]);
        using (var r = z.abs()) Values(r, [2, 0, 2]);
        using (var r = z.sigmoid()) Values(r, [1 / (1 + MathF.Exp(2)), 0.5f, 1 / (1 + MathF.Exp(-2))]);
        using (var r = z.tanh()) Values(r, [MathF.Tanh(-2), 0, MathF.Tanh(2)]);
        using (var r = z.silu()) Values(r, [-2 / (1 + MathF.Exp(2)), 0, 2 / (1 + MathF.Exp(-2))]);
        using (var r = z.relu()) Values(r, [0, 0, 2]);
    }

    [Test]
    public void GeluExactAndTanhDiffer()
    {
        using var x = F([-1, 0.5f, 2]);
        float Exact(float v) => (float)(0.5 * v * (1 + Erf(v / Math.Sqrt(2))));
        float Tanh(float v) => (float)(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        using var exact = torch.nn.functional.gelu(x);
        using var approx = torch.nn.functional.gelu(x, "tanh");
        using var quick = torch.nn.functional.quick_gelu(x);
        Values(exact, [Exact(-1), Exact(0.5f), Exact(2)], 1e-6);
        Values(approx, [Tanh(-1), Tanh(0.5f), Tanh(2)], 1e-6);
        Values(quick, [-1 / (1 + MathF.Exp(1.702f)), 0.5f / (1 + MathF.Exp(-0.851f)), 2 / (1 + MathF.Exp(-3.404f))], 1e-6);
        Assert.That(exact.allclose(approx, 0, 1e-7), Is.False);
        Assert.Throws<ArgumentException>(() => torch.nn.functional.gelu(x, "fast"));
    }

    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; integrate the series instead for a reference value.
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Test]
    public void ReducesOverAllOrSomeDimensions()
    {
        using var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.That(a.sum().item<float>(), Is.EqualTo(21));
        Assert.That(a.mean().item<float>(), Is.EqualTo(3.5f));
        using (var s = a.sum(0)) Values(s, [5, 7, 9]);
        using (var m = a.mean(1, keepdim: true))
        {
            Shape(m, 2, 1);
            Values(m, [2, 5]);
        }
        using (var mx = a.amax([1])) Values(mx, [3, 6]);
        using (var v = a.var([1])) Values(v, [1, 1]);
        using (var am = a.argmax(1)) Assert.That(am.data<long>(), Is.EqualTo(new long[] { 2, 2 }));
        using (var c = a.cumsum(1)) Values(c, [1, 3, 6, 4, 9, 15]);
        using (var p = a.cumprod(1)) Values(p, [1, 2, 6, 4, 20, 120]);
    }

    [Test]
    public void ClampsWheresAndLerps()
    {
        using var a = F([-2, 0.5f, 3]);
        using (var c = a.clamp(-1, 1)) Values(c, [-1, 0.5f, 1]);
        using (var c = a.clamp_min(0)) Values(c, [0, 0.5f, 3]);
        using (var c = a.clamp(max: 0)) Values(c, [-2, 0, 0]);
        using var b = F([10, 20, 30]);
        using var cond = a.gt(0.0);
        using (var w = torch.where(cond, a, b)) Values(w, [10, 0.5f, 3]);
        using (var l = a.lerp(b, 0.25)) Values(l, [1, 5.375f, 9.75f]);
        using var weights = F([0, 1, 0.5f]);
        using (var l = a.lerp(b, weights)) Values(l, [-2, 20, 16.5f]);
    }

    [Test]
    public void MultipliesMatrices()
    {
        using var a = F([1, 2, 3, 4, 5, 6], 2, 3);
        using var b = F([1, 0, 0, 1, 1, 1], 3, 2);
        using (var m = a.matmul(b)) Values(m, [4, 5, 10, 11]);
        using var ba = F([1, 2, 3, 4, 1, 0, 0, 1], 2, 2, 2);
        using var bb = F([1, 1, 1, 1, 2, 3, 4, 5], 2, 2, 2);
        using (var m = ba.bmm(bb)) Values(m, [3, 3, 7, 7, 2, 3, 4, 5]);
        using var bias = torch.ones([2, 2, 2]);
        using (var m = bias.baddbmm(ba, bb, beta: 0.5, alpha: 2)) Values(m, [6.5f, 6.5f, 14.5f, 14.5f, 4.5f, 6.5f, 8.5f, 10.5f]);
        using var w = F([1, 0, -1, 2, 2, 2], 2, 3);
        using var bvec = F([0.5f, -0.5f]);
        using (var lin = torch.nn.functional.linear(a, w, bvec)) Values(lin, [-1.5f, 11.5f, -1.5f, 29.5f]);
        using (var e = torch.einsum("ij,kj->ik", a, w)) Values(e, [-2, 12, -2, 30]);
    }
}
