using System.Text.Json.Nodes;
using GenArt.Diffusion.Models.Blocks;
using GenArt.Diffusion.Models.Unet;

namespace GenArt.Diffusion.Tests.Models.Unet;

[TestFixture]
public sealed class UNetConfigTests
{
    private static string GoldenConfigJson => File.ReadAllText(ModelFixtures.Golden("pipeline/unet/config.json"));

    [Test]
    public void StableDiffusion15ConfigParses()
    {
        var c = UNetConfig.FromFile(ModelFixtures.Config("stable-diffusion-v1-5/unet/config.json"));
        Assert.That(c.BlockOutChannels, Is.EqualTo(new[] { 320, 640, 1280, 1280 }));
        Assert.That(Enumerable.Range(0, 4).Select(c.HeadsAt), Is.All.EqualTo(8));
        Assert.That(Enumerable.Range(0, 4).Select(c.CrossAttentionDimAt), Is.All.EqualTo(768));
        Assert.That(c.UseLinearProjection, Is.False);
        Assert.That(c.UpcastAttention, Is.False);
        Assert.That(c.MidBlockType, Is.EqualTo(UNetConfig.MidBlockCrossAttn));
        Assert.That(c.TimeEmbedDim, Is.EqualTo(1280));
    }

    [Test]
    public void StableDiffusion21ConfigParses()
    {
        var c = UNetConfig.FromFile(ModelFixtures.Config("stable-diffusion-2-1/unet/config.json"));
        Assert.That(Enumerable.Range(0, 4).Select(c.HeadsAt), Is.EqualTo(new[] { 5, 10, 20, 20 }));
        Assert.That(c.CrossAttentionDimAt(3), Is.EqualTo(1024));
        Assert.That(c.UseLinearProjection, Is.True);
        Assert.That(c.UpcastAttention, Is.True);
    }

    [Test]
    public void TheReferenceConfigWithEveryFieldParses()
    {
        var c = UNetConfig.FromJson(GoldenConfigJson);
        Assert.That(c.BlockOutChannels, Is.EqualTo(new[] { 32, 64 }));
        Assert.That(c.NormNumGroups, Is.EqualTo(16));
        Assert.That(c.CrossAttentionDimAt(0), Is.EqualTo(32));
    }

    [Test]
    public void NumAttentionHeadsTakesPrecedenceOverAttentionHeadDim()
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json["num_attention_heads"] = new JsonArray(4, 2);
        var c = UNetConfig.FromJson(json.ToJsonString());
        Assert.That(c.HeadsAt(0), Is.EqualTo(4));
        Assert.That(c.HeadsAt(1), Is.EqualTo(2));
        using var model = new UNet2DConditionModel(c);
        var heads = model.NamedModules().Where(m => m.Key.StartsWith("down_blocks.0.", StringComparison.Ordinal) && m.Value is Attention)
            .Select(m => ((Attention)m.Value).Heads).Distinct().ToList();
        Assert.That(heads, Is.EqualTo(new[] { 4 }));
    }

    [TestCase("class_embed_type", "\"timestep\"")]
    [TestCase("num_class_embeds", "10")]
    [TestCase("addition_embed_type", "\"text_time\"")]
    [TestCase("addition_time_embed_dim", "256")]
    [TestCase("time_cond_proj_dim", "256")]
    [TestCase("encoder_hid_dim", "768")]
    [TestCase("encoder_hid_dim_type", "\"text_proj\"")]
    [TestCase("projection_class_embeddings_input_dim", "2816")]
    [TestCase("time_embedding_act_fn", "\"silu\"")]
    [TestCase("timestep_post_act", "\"silu\"")]
    [TestCase("cross_attention_norm", "\"group_norm\"")]
    [TestCase("reverse_transformer_layers_per_block", "[[1], [1]]")]
    [TestCase("only_cross_attention", "true")]
    [TestCase("dual_cross_attention", "true")]
    [TestCase("resnet_skip_time_act", "true")]
    [TestCase("class_embeddings_concat", "true")]
    [TestCase("resnet_time_scale_shift", "\"scale_shift\"")]
    [TestCase("resnet_out_scale_factor", "2.0")]
    [TestCase("time_embedding_type", "\"fourier\"")]
    [TestCase("attention_type", "\"gated\"")]
    [TestCase("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\"")]
    [TestCase("down_block_types", "[\"SimpleCrossAttnDownBlock2D\", \"DownBlock2D\"]")]
    [TestCase("up_block_types", "[\"UpBlock2D\", \"AttnUpBlock2D\"]")]
    [TestCase("act_fn", "\"gelu\"")]
    [TestCase("attention_head_dim", "[8, 8, 8]")]
    [TestCase("cross_attention_dim", "[32, 32, 32]")]
    [TestCase("transformer_layers_per_block", "[[1, 2], [1, 2]]")]
    [TestCase("block_out_channels", "[32, 64, 128]")]
    [TestCase("norm_num_groups", "null")]
    [TestCase("norm_num_groups", "24")]
    [TestCase("attention_head_dim", "7")]
    [TestCase("layers_per_block", "\"two\"")]
    [TestCase("some_future_option", "1")]
    public void UnsupportedOrInconsistentFieldsAreRefusedByName(string field, string value)
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json[field] = JsonNode.Parse(value);
        var e = Assert.Throws<ModelConfigException>(() => UNetConfig.FromJson(json.ToJsonString()))!;
        string expectedField = field == "block_out_channels" ? "down_block_types" : field;
        Assert.That(e.Field, Is.EqualTo(expectedField));
        Assert.That(e.Message, Does.Contain(expectedField));
    }

    [Test]
    public void ANullMidBlockBuildsAUNetWithoutOne()
    {
        var json = JsonNode.Parse(GoldenConfigJson)!.AsObject();
        json["mid_block_type"] = null;
        var c = UNetConfig.FromJson(json.ToJsonString());
        Assert.That(c.MidBlockType, Is.Null);
        using var model = new UNet2DConditionModel(c);
        Assert.That(model.NamedParameters().Any(p => p.Key.StartsWith("mid_block.", StringComparison.Ordinal)), Is.False);
    }

    [Test]
    public void AConfigBuiltInCodeIsValidatedBeforeAnyLayerExists()
    {
        var bad = new UNetConfig { BlockOutChannels = [320, 640], };
        var e = Assert.Throws<ModelConfigException>(() => _ = new UNet2DConditionModel(bad))!;
        Assert.That(e.Field, Is.EqualTo("down_block_types"));
    }

    [Test]
    public void MalformedJsonIsReported()
    {
        Assert.Throws<ModelConfigException>(() => UNetConfig.FromJson("{ not json"));
        Assert.Throws<ModelConfigException>(() => UNetConfig.FromJson("[1, 2]"));
    }
}
