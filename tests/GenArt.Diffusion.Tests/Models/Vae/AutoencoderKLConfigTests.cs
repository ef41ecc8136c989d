using System.Text.Json.Nodes;
using GenArt.Diffusion.Models.Blocks;
using GenArt.Diffusion.Models.Vae;

namespace GenArt.Diffusion.Tests.Models.Vae;

[TestFixture]
public sealed class AutoencoderKLConfigTests
{
    private static string GoldenConfigJson => File.ReadAllText(ModelFixtures.Golden("pipeline/vae/config.json"));

    [TestCase("stable-diffusion-v1-5")]
    [TestCase("stable-diffusion-2-1")]
    public void StableDiffusionConfigsParseWithTheDefaultScalingFactor(string model)
    {
        var c = AutoencoderKLConfig.FromFile(ModelFixtures.Config(model + "/vae/config.json"));
        Assert.That(c.BlockOutChannels, Is.EqualTo(new[] { 128, 256, 512, 512 }));
        Assert.That(c.ScalingFactor, Is.EqualTo(0.18215));
        Assert.That(c.ShiftFactor, Is.Null);
        Assert.That(c.DownsampleFactor, Is.EqualTo(8));
        Assert.That(c.UseQuantConv && c.UsePostQuantConv && c.MidBlockAddAttention, Is.True);
    }

    [Test]
    public void ScalingAndShiftFactorsAreRead()
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json["scaling_factor"] = 1.5305;
        json["shift_factor"] = 0.0609;
        var c = AutoencoderKLConfig.FromJson(json.ToJsonString());
        Assert.That(c.ScalingFactor, Is.EqualTo(1.5305));
        Assert.That(c.ShiftFactor, Is.EqualTo(0.0609));
    }

    [Test]
    public void ScaleAppliesShiftThenScalingFactorAndUnscaleInvertsIt()
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json["scaling_factor"] = 0.5;
        json["shift_factor"] = 0.25;
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(json.ToJsonString()));
        using var scope = GenArt.Torch.torch.NewDisposeScope();
        var latents = GenArt.Torch.torch.tensor(new float[] { 1.25f, -0.75f }, 2);
        Assert.That(vae.Scale(latents).data<float>(), Is.EqualTo(new[] { 0.5f, -0.5f }));
        Assert.That(vae.Unscale(vae.Scale(latents)).data<float>(), Is.EqualTo(latents.data<float>()));
    }

    [Test]
    public void WithoutQuantConvsThoseLayersAreAbsent()
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json["use_quant_conv"] = false;
        json["use_post_quant_conv"] = false;
        json["mid_block_add_attention"] = false;
        using var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(json.ToJsonString()));
        var names = vae.NamedParameters().Select(p => p.Key).ToList();
        Assert.That(names, Has.None.StartsWith("quant_conv."));
        Assert.That(names, Has.None.StartsWith("post_quant_conv."));
        Assert.That(names, Has.None.Contains("mid_block.attentions"));

        using var mode = GenArt.Torch.torch.inference_mode();
        using var scope = GenArt.Torch.torch.NewDisposeScope();
        using var posterior = vae.Encode(GenArt.Torch.torch.zeros([1, 3, 16, 16]));
        Assert.That(posterior.Mean.shape, Is.EqualTo(new long[] { 1, 4, 2, 2 }));
        Assert.That(vae.Decode(posterior.Mean).shape, Is.EqualTo(new long[] { 1, 3, 16, 16 }));
    }

    [TestCase("down_block_types", "[\"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"AttnDownEncoderBlock2D\"]")]
    [TestCase("up_block_types", "[\"UpDecoderBlock2D\"]")]
    [TestCase("act_fn", "\"relu\"")]
    [TestCase("norm_num_groups", "12")]
    [TestCase("latents_mean", "[0.1, 0.2]")]
    [TestCase("scaling_factor", "0")]
    [TestCase("use_quant_conv", "\"yes\"")]
    [TestCase("double_z", "false")]
    public void UnsupportedOrInconsistentFieldsAreRefusedByName(string field, string value)
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json[field] = JsonNode.Parse(value);
        var e = Assert.Throws<ModelConfigException>(() => AutoencoderKLConfig.FromJson(json.ToJsonString()))!;
        Assert.That(e.Field, Is.EqualTo(field));
    }
}
