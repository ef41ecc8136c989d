using System.Text.Json;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Tests.Models.TextEncoder;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>The original-layout (LDM) single file against diffusers' own conversion (golden key maps and the
/// diffusers-layout weights of the same models).</summary>
public sealed class SingleFileMappingTests
{
    private static Dictionary<string, string> KeyMap(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(GoldenFiles.Golden("single_file", name)));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    [TestCase("unet", "key_map_unet.json", 304)]
    [TestCase("vae", "key_map_vae.json", 244)]
    public void EveryKeyMapsAsDiffusersConvertsIt(string component, string keyMapFile, int count)
    {
        var expected = KeyMap(keyMapFile);
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, LoadingFixtures.TinyOptions);
        var weights = (MappedTensorSource)(component == "unet" ? checkpoint.Unet : checkpoint.Vae).Weights;
        var actual = weights.Mappings.ToDictionary(kv => kv.Key, kv => kv.Value.SourceKey, StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(expected, Has.Count.EqualTo(count));
            Assert.That(actual, Is.EquivalentTo(expected));
        });
    }

    [TestCase("unet")]
    [TestCase("vae")]
    public void MappedTensorsAreBitIdenticalToTheDiffusersLayout(string component)
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, LoadingFixtures.TinyOptions);
        var weights = component == "unet" ? checkpoint.Unet.Weights : checkpoint.Vae.Weights;
        using var reference = SafeTensorsFile.Open(Path.Combine(LoadingFixtures.Pipeline, component, "diffusion_pytorch_model.safetensors"));
        Assert.That(weights.Names.Order(StringComparer.Ordinal), Is.EqualTo(reference.Names.Order(StringComparer.Ordinal)));
        int reshaped = 0;
        foreach (var name in reference.Names)
        {
            using var want = reference.Load(name);
            using var have = weights.Load(name, ScalarType.Float32, Device.CPU);
            Assert.That(weights.TryGetShape(name, out var declared) && declared.SequenceEqual(want.shape), $"{name}: declared shape");
            Assert.That(have.bytes(), Is.EqualTo(want.bytes()), name);
            if (((MappedTensorSource)weights).Mappings[name].SourceKey.Contains(".attn_1.", StringComparison.Ordinal) && want.ndim == 2) reshaped++;
        }
        // Both VAE mid-blocks' q, k, v and proj_out weights went from [C, C, 1, 1] to [C, C].
        Assert.That(reshaped, Is.EqualTo(component == "vae" ? 8 : 0));
    }

    [Test]
    public void WeightsConvertToTheRequestedDtypeOnLoad()
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, LoadingFixtures.TinyOptions);
        using var reference = SafeTensorsFile.Open(Path.Combine(LoadingFixtures.Pipeline, "vae", "diffusion_pytorch_model.safetensors"));
        const string name = "decoder.mid_block.attentions.0.to_q.weight";
        using var half = checkpoint.Vae.Weights.Load(name, ScalarType.BFloat16, Device.CPU);
        using var want = reference.Load(name, dtype: ScalarType.BFloat16);
        Assert.Multiple(() =>
        {
            Assert.That(half.dtype, Is.EqualTo(ScalarType.BFloat16));
            Assert.That(half.bytes(), Is.EqualTo(want.bytes()));
        });
    }

    [TestCase("unet")]
    [TestCase("vae")]
    public void InferredConfigEqualsTheDiffusersConfig(string component)
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, LoadingFixtures.TinyOptions);
        var inferred = (component == "unet" ? checkpoint.Unet : checkpoint.Vae).Config;
        using var golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(LoadingFixtures.Pipeline, component, "config.json")));
        var expected = golden.RootElement.EnumerateObject().Where(p => p.Name != "_diffusers_version").ToDictionary(p => p.Name, p => p.Value.GetRawText());
        var actual = inferred.EnumerateObject().ToDictionary(p => p.Name, p => Normalise(p.Value));
        Assert.That(actual, Is.EquivalentTo(expected.ToDictionary(kv => kv.Key, kv => Normalise(JsonDocument.Parse(kv.Value).RootElement))));
    }

    // Numbers compared by value (diffusers writes 1e-05 and 1.0, System.Text.Json 1E-05 and 1).
    private static string Normalise(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Normalise)) + "]",
        _ => e.GetRawText(),
    };

    [Test]
    public void TheFileDescribesAnSd1ModelWithoutTextEncoder()
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, LoadingFixtures.TinyOptions);
        using var scheduler = JsonDocument.Parse(checkpoint.SchedulerConfigJson);
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Layout, Is.EqualTo(CheckpointLayout.SingleFile));
            Assert.That(checkpoint.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion1));
            Assert.That(checkpoint.TextEncoder, Is.Null);
            Assert.That(scheduler.RootElement.GetProperty("_class_name").GetString(), Is.EqualTo("PNDMScheduler"));
            Assert.That(scheduler.RootElement.GetProperty("prediction_type").GetString(), Is.EqualTo("epsilon"));
            Assert.That(checkpoint.TokenizerPath, Is.EqualTo(Path.GetFullPath(LoadingFixtures.Vocab)));
            var e = Assert.Throws<CheckpointException>(() => checkpoint.LoadTextEncoder().Dispose());
            Assert.That(e!.Message, Does.Contain("no text encoder").And.Contain(LoadingFixtures.SingleFile));
        });
    }

    [Test]
    public void ForcingSd2OnAUnetWithoutSd2HeadWidthsFails()
    {
        // The tiny UNet's 32-wide first block is no multiple of SD 2.x's 64-dimensional heads.
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile,
            LoadingFixtures.TinyOptions with { Family = StableDiffusionFamily.StableDiffusion2 }).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{LoadingFixtures.SingleFile}: UNet block width 32 is not a multiple of 64, the SD 2.x head size"));
    }
}
