using GenArt.Diffusion.Models.Unet;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Models.Unet;

/// <summary>The exact Stable Diffusion 1.5 and 2.1 UNets with random weights: one 256x256 (32x32 latent)
/// forward each, batch 1 (a few seconds on 2 cores).</summary>
[TestFixture]
public sealed class UNetRealSizeTests
{
    [TestCase("stable-diffusion-v1-5", 859_520_964L, 768, new long[] { 320, 320, 1, 1 })]
    [TestCase("stable-diffusion-2-1", 865_910_724L, 1024, new long[] { 320, 320 })]
    public void ExactConfigBuildsAndRunsAt256(string model, long parameterCount, int crossDim, long[] projInShape)
    {
        var config = UNetConfig.FromFile(ModelFixtures.Config(model + "/unet/config.json"));
        using var unet = new UNet2DConditionModel(config);
        var shapes = unet.NamedParameters().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.That(unet.ParameterCount(), Is.EqualTo(parameterCount));
        Assert.That(shapes["down_blocks.0.attentions.0.proj_in.weight"], Is.EqualTo(projInShape));
        Assert.That(shapes["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"], Is.EqualTo(new long[] { 1280, crossDim }));
        Assert.That(shapes["down_blocks.1.attentions.1.transformer_blocks.0.ff.net.0.proj.weight"], Is.EqualTo(new long[] { 5120, 640 }));
        Assert.That(shapes["up_blocks.3.resnets.2.conv_shortcut.weight"], Is.EqualTo(new long[] { 320, 640, 1, 1 }));
        Assert.That(shapes["time_embedding.linear_1.weight"], Is.EqualTo(new long[] { 1280, 320 }));

        using (var gen = new Generator(1234)) unet.ResetParameters(gen);
        unet.Eval();
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var noise = new Generator(5);
        var sample = torch.randn([1, 4, 32, 32], noise);
        var text = torch.randn([1, 77, crossDim], noise);
        var output = unet.forward(sample, torch.scalar_tensor(981, ScalarType.Int64), text);
        Assert.That(output.shape, Is.EqualTo(new long[] { 1, 4, 32, 32 }));
        Assert.That(ModelFixtures.AllFinite(output), Is.True);
        using var std = output.std();
        Assert.That(std.item<float>(), Is.GreaterThan(0f));
    }
}
