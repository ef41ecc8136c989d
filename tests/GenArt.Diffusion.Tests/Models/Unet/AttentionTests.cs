using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Tests.Models.Unet;

/// <summary>The attention block's two computation paths (whole and query-chunked) and its half-precision
/// upcast, against attention composed by hand from the same weights.</summary>
[TestFixture]
public sealed class AttentionTests
{
    private static Tensor Reference(Attention attention, Tensor x, Tensor context)
    {
        var w = attention.StateDict();
        int h = attention.Heads;
        long d = attention.HeadDim;
        Tensor Heads(Tensor t) => t.view(t.size(0), t.size(1), h, d).transpose(1, 2);
        var q = Heads(F.linear(x, w["to_q.weight"]));
        var k = Heads(F.linear(context, w["to_k.weight"]));
        var v = Heads(F.linear(context, w["to_v.weight"]));
        var o = F.scaled_dot_product_attention_composed(q, k, v);
        return F.linear(o.transpose(1, 2).reshape(x.size(0), x.size(1), h * d), w["to_out.0.weight"], w["to_out.0.bias"]);
    }

    [Test]
    public void LongSequencesAreComputedInQueryChunksWithTheSameResult()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(21);
        using var attention = new Attention(16, null, 2, 8);
        attention.ResetParameters(gen);
        // 2 heads x 4200 x 4200 scores exceed the default budget: each head runs in two blocks of query rows
        Assert.That(Attention.ScoreBudget, Is.LessThan(2L * 4200 * 4200));
        var x = torch.randn([1, 4200, 16], gen);
        var output = attention.forward(x);
        Assert.That(ModelFixtures.MaxAbsDiff(output, Reference(attention, x, x)), Is.LessThanOrEqualTo(1e-5));
    }

    [TestCase(100_000L)] // everything in one block
    [TestCase(2_000L)]   // two heads per block
    [TestCase(500L)]     // 16 query rows per block
    [TestCase(1L)]       // one query row per block
    public void EveryBlockingGivesTheSameResult(long budget)
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(24);
        using var attention = new Attention(16, null, 4, 4);
        attention.ResetParameters(gen);
        var x = torch.randn([2, 30, 16], gen);
        long before = Attention.ScoreBudget;
        try
        {
            Attention.ScoreBudget = budget;
            Assert.That(ModelFixtures.MaxAbsDiff(attention.forward(x), Reference(attention, x, x)), Is.LessThanOrEqualTo(1e-5));
        }
        finally
        {
            Attention.ScoreBudget = before;
        }
    }

    [Test]
    public void CrossAttentionMatchesTheComposedReference()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(22);
        using var attention = new Attention(24, 12, 3, 8);
        attention.ResetParameters(gen);
        var x = torch.randn([2, 50, 24], gen);
        var text = torch.randn([2, 7, 12], gen);
        Assert.That(ModelFixtures.MaxAbsDiff(attention.forward(x, text), Reference(attention, x, text)), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void UpcastAttentionInBFloat16StaysCloseToFloat32()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(23);
        using var attention = new Attention(32, null, 2, 16, upcastAttention: true);
        attention.ResetParameters(gen);
        var x = torch.randn([1, 64, 32], gen).mul(4);
        var full = attention.forward(x);
        attention.To(Device.CPU, ScalarType.BFloat16);
        var half = attention.forward(x.to(ScalarType.BFloat16));
        Assert.That(half.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(ModelFixtures.MaxAbsDiff(half, full), Is.LessThanOrEqualTo(0.1));
    }
}
