using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Tests.Models.TextEncoder;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>Text encoders inside single files: SD 1.x (transformers names) and SD 2.x (OpenCLIP names).</summary>
public sealed class SingleFileTextEncoderTests
{
    private static ClipTextConfig GoldenConfig => ClipTextConfig.FromFile(Path.Combine(LoadingFixtures.Pipeline, "text_encoder", "config.json"));

    /// <summary>Encodes the golden prompts and compares with transformers' last_hidden_state.</summary>
    private static double GoldenError(ClipTextModel model, int clipSkip = 0)
    {
        using var io = SafeTensorsFile.Open(GoldenFiles.Golden("text_encoder", "text_encoder_io.safetensors"));
        using var _ = torch.inference_mode();
        using var ids = io.Load("input_ids");
        using var embedding = model.Encode(ids, clipSkip);
        using var expected = io.Load(clipSkip == 0 ? "last_hidden_state" : "penultimate_final_layer_norm");
        return GoldenFiles.MaxAbsDiff(embedding, expected);
    }

    [Test]
    public void Sd1TextEncoderLoadsFromCondStageModelTransformer()
    {
        using var temp = new LoadingFixtures.TempFolder();
        var text = LoadingFixtures.TransformersTextEncoder();
        using var positionIds = torch.arange(77).view(1, 77);
        text["cond_stage_model.transformer.text_model.embeddings.position_ids"] = positionIds;
        try
        {
            LoadingFixtures.WriteSingleFile(temp.File("sd1.safetensors"), text);
        }
        finally
        {
            LoadingFixtures.DisposeAll(text.Values.Where(t => !ReferenceEquals(t, positionIds)));
        }

        using var inferred = StableDiffusionCheckpoint.Open(temp.File("sd1.safetensors"), LoadingFixtures.TinyOptions);
        Assert.Multiple(() =>
        {
            Assert.That(inferred.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion1));
            // Shapes give everything but the head count, which is assumed to be hidden / 64 (here at least 1).
            Assert.That(inferred.TextEncoderConfig, Is.EqualTo(GoldenConfig with { NumAttentionHeads = 1 }));
        });

        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("sd1.safetensors"), LoadingFixtures.TinyOptions with { TextEncoderConfig = GoldenConfig });
        using var model = checkpoint.LoadTextEncoder();
        double error = GoldenError(model);
        Assert.That(error, Is.LessThan(1e-4));
        TestContext.Out.WriteLine($"SD1 single-file text encoder: last_hidden_state max abs {error:E2}");
    }

    [Test]
    public void Sd2OpenClipTextEncoderIsRenamedSplitAndCutToThePenultimateBlock()
    {
        using var temp = new LoadingFixtures.TempFolder();
        var open = OpenClipFromGolden();
        foreach (var (name, t) in LoadingFixtures.WideSd2Unet()) open[name] = t;
        try
        {
            LoadingFixtures.WriteSingleFile(temp.File("sd2.safetensors"), open);
        }
        finally
        {
            LoadingFixtures.DisposeAll(open.Values);
        }

        using var inferred = StableDiffusionCheckpoint.Open(temp.File("sd2.safetensors"), LoadingFixtures.TinyOptions with { ImageSize = null });
        var unet = inferred.Unet.Config;
        using var scheduler = System.Text.Json.JsonDocument.Parse(inferred.SchedulerConfigJson);
        Assert.Multiple(() =>
        {
            Assert.That(inferred.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion2));
            Assert.That(unet.GetProperty("attention_head_dim").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(unet.GetProperty("block_out_channels").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 64, 128 }));
            Assert.That(unet.GetProperty("use_linear_projection").GetBoolean(), Is.True);
            Assert.That(unet.GetProperty("upcast_attention").GetBoolean(), Is.True);
            Assert.That(unet.GetProperty("cross_attention_dim").GetInt32(), Is.EqualTo(64));
            Assert.That(unet.GetProperty("sample_size").GetInt32(), Is.EqualTo(96));
            Assert.That(inferred.Vae.Config.GetProperty("sample_size").GetInt32(), Is.EqualTo(768));
            Assert.That(scheduler.RootElement.GetProperty("_class_name").GetString(), Is.EqualTo("DDIMScheduler"));
            Assert.That(scheduler.RootElement.GetProperty("prediction_type").GetString(), Is.EqualTo("v_prediction"));
            Assert.That(inferred.TextEncoderConfig, Is.EqualTo(GoldenConfig with { NumAttentionHeads = 1, HiddenAct = "gelu" }));
            Assert.That(inferred.TextEncoder!.Weights.Names.Count(), Is.EqualTo(52));
            Assert.That(inferred.TextEncoder.Weights.Names.Any(n => n.Contains("layers.3.", StringComparison.Ordinal)), Is.False);
        });

        // With the golden config (quick_gelu, 4 heads) the split and renamed weights reproduce transformers.
        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("sd2.safetensors"), LoadingFixtures.TinyOptions with { TextEncoderConfig = GoldenConfig });
        using var model = checkpoint.LoadTextEncoder();
        double error = GoldenError(model);
        Assert.That(error, Is.LessThan(1e-4));
        using var golden = SafeTensorsFile.Open(Path.Combine(LoadingFixtures.Pipeline, "text_encoder", "model.safetensors"));
        foreach (var (name, tensor) in model.NamedParameters())
        {
            using var want = golden.Load(name);
            Assert.That(tensor.bytes(), Is.EqualTo(want.bytes()), name);
        }
    }

    // OpenCLIP layout of the golden weights: q, k and v fused into in_proj, plus a fourth block (the one SD 2.x
    // does not use) and the tensors CLIPTextModel has no place for.
    private static Dictionary<string, Tensor> OpenClipFromGolden()
    {
        const string p = "cond_stage_model.model.";
        var te = LoadingFixtures.ReadAll(Path.Combine(LoadingFixtures.Pipeline, "text_encoder", "model.safetensors"));
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            result[p + "token_embedding.weight"] = te["text_model.embeddings.token_embedding.weight"].clone();
            result[p + "positional_embedding"] = te["text_model.embeddings.position_embedding.weight"].clone();
            result[p + "ln_final.weight"] = te["text_model.final_layer_norm.weight"].clone();
            result[p + "ln_final.bias"] = te["text_model.final_layer_norm.bias"].clone();
            result[p + "text_projection"] = torch.ones([32, 32]);
            result[p + "logit_scale"] = torch.scalar_tensor(4.6);
            for (int i = 0; i < 4; i++)
            {
                int from = Math.Min(i, 2);
                string l = $"text_model.encoder.layers.{from}.", r = $"{p}transformer.resblocks.{i}.";
                foreach (var kind in new[] { "weight", "bias" })
                {
                    result[$"{r}attn.in_proj_{kind}"] = torch.cat([te[$"{l}self_attn.q_proj.{kind}"], te[$"{l}self_attn.k_proj.{kind}"], te[$"{l}self_attn.v_proj.{kind}"]]);
                    result[$"{r}attn.out_proj.{kind}"] = te[$"{l}self_attn.out_proj.{kind}"].clone();
                    result[$"{r}ln_1.{kind}"] = te[$"{l}layer_norm1.{kind}"].clone();
                    result[$"{r}ln_2.{kind}"] = te[$"{l}layer_norm2.{kind}"].clone();
                    result[$"{r}mlp.c_fc.{kind}"] = te[$"{l}mlp.fc1.{kind}"].clone();
                    result[$"{r}mlp.c_proj.{kind}"] = te[$"{l}mlp.fc2.{kind}"].clone();
                }
            }
            return result;
        }
        finally
        {
            LoadingFixtures.DisposeAll(te.Values);
        }
    }
}
