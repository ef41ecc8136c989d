using System.Text.Json;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>Config inference on full-size SD 1.5 and 2.1 single-file layouts (names and shapes only).</summary>
public sealed class FullSizeLayoutTests
{
    private static readonly int[] SdUnetChannels = [320, 640, 1280, 1280];
    private static readonly bool[] SdAttention = [true, true, true, false];
    private static readonly int[] SdVaeChannels = [128, 256, 512, 512];

    [Test]
    public void TheShapeGeneratorReproducesTheGoldenSingleFile()
    {
        using var file = SafeTensorsFile.Open(LoadingFixtures.SingleFile);
        var expected = file.Names.ToDictionary(n => n, n => file.Info(n).Shape, StringComparer.Ordinal);
        var generated = LdmShapes.Unet([32, 64], [true, false], perBlock: 2, crossDim: 32, linear: false)
            .Concat(LdmShapes.Vae([16, 32, 32, 32], perBlock: 2))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        Assert.That(generated.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, shape) in expected)
            Assert.That(generated[name], Is.EqualTo(shape), name);
    }

    [Test]
    public void Sd15LayoutGivesTheRunwayConfigs()
    {
        var shapes = LdmShapes.Unet(SdUnetChannels, SdAttention, 2, 768, linear: false)
            .Concat(LdmShapes.Vae(SdVaeChannels, 2))
            .Concat(LdmShapes.ClipText(768, 12, 3072))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        using var checkpoint = StableDiffusionCheckpoint.OpenSingleFile(new LdmShapes.ShapeOnlySource(shapes), "sd15.safetensors", new CheckpointOptions { TokenizerPath = LoadingFixtures.Vocab });
        var unet = checkpoint.Unet.Config;
        var vae = checkpoint.Vae.Config;
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion1));
            Assert.That(Ints(unet, "block_out_channels"), Is.EqualTo(SdUnetChannels));
            Assert.That(unet.GetProperty("attention_head_dim").GetInt32(), Is.EqualTo(8));
            Assert.That(unet.GetProperty("cross_attention_dim").GetInt32(), Is.EqualTo(768));
            Assert.That(unet.GetProperty("layers_per_block").GetInt32(), Is.EqualTo(2));
            Assert.That(unet.GetProperty("use_linear_projection").GetBoolean(), Is.False);
            Assert.That(unet.GetProperty("upcast_attention").GetBoolean(), Is.False);
            Assert.That(unet.GetProperty("sample_size").GetInt32(), Is.EqualTo(64));
            Assert.That(unet.GetProperty("norm_num_groups").GetInt32(), Is.EqualTo(32));
            Assert.That(Strings(unet, "down_block_types"), Is.EqualTo(new[] { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" }));
            Assert.That(Strings(unet, "up_block_types"), Is.EqualTo(new[] { "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D" }));
            Assert.That(Ints(vae, "block_out_channels"), Is.EqualTo(SdVaeChannels));
            Assert.That(vae.GetProperty("latent_channels").GetInt32(), Is.EqualTo(4));
            Assert.That(vae.GetProperty("sample_size").GetInt32(), Is.EqualTo(512));
            Assert.That(checkpoint.TextEncoderConfig, Is.EqualTo(ClipTextConfig.StableDiffusion1));
            Assert.That(checkpoint.Unet.Weights.Names.Count(), Is.EqualTo(686));
            Assert.That(checkpoint.Vae.Weights.Names.Count(), Is.EqualTo(248));
            Assert.That(checkpoint.TextEncoder!.Weights.Names.Count(), Is.EqualTo(196));
        });
    }

    [Test]
    public void Sd21LayoutGivesTheStabilityConfigs()
    {
        var shapes = LdmShapes.Unet(SdUnetChannels, SdAttention, 2, 1024, linear: true)
            .Concat(LdmShapes.Vae(SdVaeChannels, 2))
            .Concat(LdmShapes.OpenClipText(1024, 24, 4096))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        using var checkpoint = StableDiffusionCheckpoint.OpenSingleFile(new LdmShapes.ShapeOnlySource(shapes), "sd21.safetensors", new CheckpointOptions { TokenizerPath = LoadingFixtures.Vocab });
        var unet = checkpoint.Unet.Config;
        using var scheduler = JsonDocument.Parse(checkpoint.SchedulerConfigJson);
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion2));
            Assert.That(Ints(unet, "attention_head_dim"), Is.EqualTo(new[] { 5, 10, 20, 20 }));
            Assert.That(unet.GetProperty("cross_attention_dim").GetInt32(), Is.EqualTo(1024));
            Assert.That(unet.GetProperty("use_linear_projection").GetBoolean(), Is.True);
            Assert.That(unet.GetProperty("upcast_attention").GetBoolean(), Is.True);
            Assert.That(unet.GetProperty("sample_size").GetInt32(), Is.EqualTo(96));
            Assert.That(checkpoint.Vae.Config.GetProperty("sample_size").GetInt32(), Is.EqualTo(768));
            Assert.That(scheduler.RootElement.GetProperty("prediction_type").GetString(), Is.EqualTo("v_prediction"));
            Assert.That(checkpoint.TextEncoderConfig, Is.EqualTo(ClipTextConfig.StableDiffusion2));
            // 23 of the 24 blocks, each with q/k/v split out of in_proj: 16 tensors per layer.
            Assert.That(checkpoint.TextEncoder!.Weights.Names.Count(), Is.EqualTo(4 + 23 * 16));
            Assert.That(checkpoint.TextEncoder.Weights.TryGetShape("text_model.encoder.layers.22.self_attn.v_proj.weight", out var v) ? v : null,
                Is.EqualTo(new long[] { 1024, 1024 }));
        });
    }

    private static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();
}
