using GenArt.Diffusion.Models.Vae;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Models.Vae;

/// <summary>The exact Stable Diffusion 1.5 VAE with random weights: one 256x256 encode and decode.</summary>
[TestFixture]
public sealed class AutoencoderKLRealSizeTests
{
    [Test]
    public void ExactConfigEncodesAndDecodesAt256()
    {
        var config = AutoencoderKLConfig.FromFile(ModelFixtures.Config("stable-diffusion-v1-5/vae/config.json"));
        using var vae = new AutoencoderKL(config);
        Assert.That(vae.ParameterCount(), Is.EqualTo(83_653_863L));
        var shapes = vae.NamedParameters().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.That(shapes["encoder.mid_block.attentions.0.to_q.weight"], Is.EqualTo(new long[] { 512, 512 }));
        Assert.That(shapes["decoder.up_blocks.2.resnets.0.conv_shortcut.weight"], Is.EqualTo(new long[] { 256, 512, 1, 1 }));
        Assert.That(shapes["quant_conv.weight"], Is.EqualTo(new long[] { 8, 8, 1, 1 }));

        using (var gen = new Generator(99)) vae.ResetParameters(gen);
        vae.Eval();
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var noise = new Generator(3);
        var image = torch.rand([1, 3, 256, 256], noise).mul(2).sub(1);
        using var posterior = vae.Encode(image);
        Assert.That(posterior.Mean.shape, Is.EqualTo(new long[] { 1, 4, 32, 32 }));
        Assert.That(ModelFixtures.AllFinite(posterior.Mean) && ModelFixtures.AllFinite(posterior.Std), Is.True);
        var decoded = vae.Decode(posterior.Mode());
        Assert.That(decoded.shape, Is.EqualTo(new long[] { 1, 3, 256, 256 }));
        Assert.That(ModelFixtures.AllFinite(decoded), Is.True);
    }
}
