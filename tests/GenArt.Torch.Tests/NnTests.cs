using static GenArt.Torch.Tests.Expect;
using F_ = GenArt.Torch.torch.nn.functional;

namespace GenArt.Torch.Tests;

public class NnTests
{
    [Test]
    public void Conv2dHonoursStridePaddingAndGroups()
    {
        using var x = F([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
        using var w = torch.ones([1, 1, 2, 2]);
        using (var y = F_.conv2d(x, w)) { Shape(y, 1, 1, 2, 2); Values(y, [12, 16, 24, 28]); }
        using (var y = F_.conv2d(x, w, stride: 2, padding: 1)) Values(y, [1, 5, 11, 28]);
        using var bias = F([0.5f]);
        using (var y = F_.conv2d(x, w, bias)) Values(y, [12.5f, 16.5f, 24.5f, 28.5f]);

        using var x2 = F([1, 2, 3, 4, 10, 20, 30, 40], 1, 2, 2, 2);
        using var w2 = F([2, -1], 2, 1, 1, 1);
        using (var y = F_.conv2d(x2, w2, groups: 2)) Values(y, [2, 4, 6, 8, -10, -20, -30, -40]);
        using (var y = F_.conv2d(x2, torch.ones([1, 2, 1, 1]), null, (1, 1), (0, 1), (1, 1))) { Shape(y, 1, 1, 2, 4); Values(y, [0, 11, 22, 0, 0, 33, 44, 0]); }
    }

    [Test]
    public void NormalisesGroupsAndLayers()
    {
        using var x = F([1, 2, 3, 4], 1, 4, 1, 1);
        using var w = F([1, 2, 3, 4]);
        using var b = F([0, 0, 0, 1]);
        using (var y = F_.group_norm(x, 2, w, b, eps: 1e-5)) Values(y, [-1, 2, -3, 5], 1e-4);
        using var row = F([1, 2, 3]);
        float s = MathF.Sqrt(1.5f);
        using (var y = F_.layer_norm(row, [3], eps: 0)) Values(y, [-s, 0, s], 1e-5);
        using var lw = F([2, 2, 2]);
        using var lb = F([1, 1, 1]);
        using (var y = F_.layer_norm(row, [3], lw, lb, 0)) Values(y, [1 - 2 * s, 1, 1 + 2 * s], 1e-5);
    }

    [Test]
    public void SoftmaxesAlongADimension()
    {
        using var x = F([0, MathF.Log(2), MathF.Log(3)]);
        using (var y = F_.softmax(x, 0)) Values(y, [1 / 6f, 2 / 6f, 3 / 6f]);
        using (var y = F_.log_softmax(x, 0)) Values(y, [MathF.Log(1 / 6f), MathF.Log(2 / 6f), MathF.Log(3 / 6f)], 1e-6);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void AttendsWithScaleMaskAndCausality(bool composed)
    {
        Func<Tensor, Tensor, Tensor, Tensor?, bool, double?, Tensor> sdpa =
            composed ? F_.scaled_dot_product_attention_composed : F_.scaled_dot_product_attention;
        using var q = F([1, 0], 1, 1, 1, 2);
        using var k = F([1, 0, 0, 1], 1, 1, 2, 2);
        using var v = F([10, 0, 0, 10], 1, 1, 2, 2);
        float w1 = 1 / (1 + MathF.Exp(-1 / MathF.Sqrt(2)));
        using (var y = sdpa(q, k, v, null, false, null)) Values(y, [10 * w1, 10 * (1 - w1)], 1e-5);
        float w2 = 1 / (1 + MathF.Exp(-2));
        using (var y = sdpa(q, k, v, null, false, 2.0)) Values(y, [10 * w2, 10 * (1 - w2)], 1e-5);
        using var mask = torch.tensor(new[] { false, true }, 1, 1, 1, 2);
        using (var y = sdpa(q, k, v, mask, false, null)) Values(y, [0, 10], 1e-5);
        using var q2 = F([1, 0, 0, 1], 1, 1, 2, 2);
        using (var y = sdpa(q2, k, v, null, true, null)) Values(y, [10, 0, 10 * (1 - w1), 10 * w1], 1e-5);
    }

    [Test]
    public void NativeAndComposedAttentionAgreeOnRandomInputs()
    {
        using var g = new Generator(7);
        using var q = torch.randn([2, 4, 9, 16], g);
        using var k = torch.randn([2, 4, 11, 16], g);
        using var v = torch.randn([2, 4, 11, 16], g);
        using var a = F_.scaled_dot_product_attention(q, k, v);
        using var b = F_.scaled_dot_product_attention_composed(q, k, v);
        Shape(a, 2, 4, 9, 16);
        Assert.That(a.allclose(b, 1e-5, 1e-6), Is.True);
    }

    [Test]
    public void UpsamplesPadsAndPools()
    {
        using var x = F([1, 2, 3, 4], 1, 1, 2, 2);
        using (var y = F_.upsample_nearest2d(x, 2)) Values(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
        using (var y = F_.upsample_nearest2d(x, 3, 2)) Values(y, [1, 2, 1, 2, 3, 4]);
        using (var y = F_.upsample_bilinear2d(x, 1, 1, alignCorners: false, antialias: true)) Values(y, [2.5f]);
        using (var y = F_.pad(F([1, 2]), [1, 2])) Values(y, [0, 1, 2, 0, 0]);
        using (var y = F_.pad(x, [0, 1, 0, 1], -1)) { Shape(y, 1, 1, 3, 3); Values(y, [1, 2, -1, 3, 4, -1, -1, -1, -1]); }
        using (var y = F_.avg_pool2d(x, 2, 2)) Values(y, [2.5f]);
    }

    [Test]
    public void ComputesMseLoss()
    {
        using var a = F([1, 2, 3]);
        using var b = F([1, 4, 0]);
        using (var l = F_.mse_loss(a, b)) Assert.That(l.item<float>(), Is.EqualTo(13 / 3f).Within(1e-6));
        using (var l = F_.mse_loss(a, b, "sum")) Assert.That(l.item<float>(), Is.EqualTo(13));
        using (var l = F_.mse_loss(a, b, "none")) Values(l, [0, 4, 9]);
    }
}
