using System.Text.Json;
using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Tests.Models.TextEncoder;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Loading;

public sealed class DiffusersFolderTests
{
    [Test]
    public void TheGoldenPipelineFolderOpensWithItsOwnConfigsAndWeights()
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.Pipeline);
        using var unetFile = SafeTensorsFile.Open(Path.Combine(LoadingFixtures.Pipeline, "unet", "diffusion_pytorch_model.safetensors"));
        using var vaeFile = SafeTensorsFile.Open(Path.Combine(LoadingFixtures.Pipeline, "vae", "diffusion_pytorch_model.safetensors"));
        Assert.Multiple(() =>
        {
            Assert.That(checkpoint.Layout, Is.EqualTo(CheckpointLayout.DiffusersFolder));
            Assert.That(checkpoint.Family, Is.EqualTo(StableDiffusionFamily.StableDiffusion1));
            Assert.That(checkpoint.Unet.ConfigJson, Is.EqualTo(File.ReadAllText(Path.Combine(LoadingFixtures.Pipeline, "unet", "config.json"))));
            Assert.That(checkpoint.Vae.Config.GetProperty("scaling_factor").GetDouble(), Is.EqualTo(0.18215));
            Assert.That(checkpoint.Unet.Weights.Names, Is.EquivalentTo(unetFile.Names));
            Assert.That(checkpoint.Vae.Weights.Names, Is.EquivalentTo(vaeFile.Names));
            Assert.That(checkpoint.TextEncoder!.Weights.Names.Count(), Is.EqualTo(52));
            Assert.That(checkpoint.TextEncoderConfig!.HiddenSize, Is.EqualTo(32));
            Assert.That(checkpoint.SchedulerConfigJson, Does.Contain("\"DDIMScheduler\""));
        });
    }

    [Test]
    public void TextEncoderAndTokenizerReproduceTheGoldenEmbeddings()
    {
        using var checkpoint = StableDiffusionCheckpoint.Open(LoadingFixtures.Pipeline);
        var tokenizer = checkpoint.LoadTokenizer();
        using var model = checkpoint.LoadTextEncoder();
        using var io = SafeTensorsFile.Open(GoldenFiles.Golden("text_encoder", "text_encoder_io.safetensors"));
        using var goldenIds = io.Load("input_ids");
        var ids = tokenizer.Tokenize("a photograph of an astronaut riding a horse").Ids.Select(i => (long)i).ToArray();
        using var input = torch.tensor(ids, 1, 77);
        using var firstRow = goldenIds.narrow(0, 0, 1);
        using var _ = torch.inference_mode();
        using var embedding = model.Encode(input);
        using var expected = io.Load("last_hidden_state");
        using var expectedFirst = expected.narrow(0, 0, 1);
        Assert.Multiple(() =>
        {
            Assert.That(input.data<long>(), Is.EqualTo(firstRow.data<long>()));
            Assert.That(GoldenFiles.MaxAbsDiff(embedding, expectedFirst), Is.LessThan(1e-4));
        });
    }

    [TestCase("fp16", TestName = "Fp16VariantChosenByName")]
    [TestCase(null, TestName = "Fp16VariantUsedWhenItIsTheOnlyFile")]
    public void HalfPrecisionVariantsLoadAsFloat32(string? variant)
    {
        using var temp = new LoadingFixtures.TempFolder();
        string folder = CopyPipeline(temp.Path);
        var weights = LoadingFixtures.ReadAll(Path.Combine(folder, "text_encoder", "model.safetensors"));
        var halves = weights.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float16));
        SafeTensorsWriter.Save(Path.Combine(folder, "text_encoder", "model.fp16.safetensors"), halves);
        File.Delete(Path.Combine(folder, "text_encoder", "model.safetensors"));
        try
        {
            using var checkpoint = StableDiffusionCheckpoint.Open(folder, new CheckpointOptions { Variant = variant });
            using var model = checkpoint.LoadTextEncoder(ScalarType.Float32);
            foreach (var (name, tensor) in model.NamedParameters())
            {
                using var roundTrip = halves[name].to(ScalarType.Float32);
                Assert.That(tensor.dtype, Is.EqualTo(ScalarType.Float32));
                Assert.That(tensor.bytes(), Is.EqualTo(roundTrip.bytes()), name);
            }
            Assert.That(checkpoint.TextEncoder!.WeightFiles.Single(), Does.EndWith("model.fp16.safetensors"));
        }
        finally
        {
            LoadingFixtures.DisposeAll(weights.Values.Concat(halves.Values));
        }
    }

    [Test]
    public void ShardedWeightsLoadThroughTheirIndex()
    {
        using var temp = new LoadingFixtures.TempFolder();
        string folder = CopyPipeline(temp.Path);
        string dir = Path.Combine(folder, "text_encoder");
        var weights = LoadingFixtures.ReadAll(Path.Combine(dir, "model.safetensors"));
        try
        {
            var names = weights.Keys.Order(StringComparer.Ordinal).ToList();
            var first = names.Take(20).ToList();
            var second = names.Skip(20).ToList();
            SafeTensorsWriter.Save(Path.Combine(dir, "model-00001-of-00002.safetensors"), first.Select(n => KeyValuePair.Create(n, weights[n])));
            SafeTensorsWriter.Save(Path.Combine(dir, "model-00002-of-00002.safetensors"), second.Select(n => KeyValuePair.Create(n, weights[n])));
            var map = first.ToDictionary(n => n, _ => "model-00001-of-00002.safetensors");
            foreach (var n in second) map[n] = "model-00002-of-00002.safetensors";
            File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), JsonSerializer.Serialize(new { metadata = new { }, weight_map = map }));
            File.Delete(Path.Combine(dir, "model.safetensors"));

            using var checkpoint = StableDiffusionCheckpoint.Open(folder);
            using var model = checkpoint.LoadTextEncoder();
            Assert.That(checkpoint.TextEncoder!.WeightFiles, Has.Count.EqualTo(2));
            foreach (var (name, tensor) in model.NamedParameters())
                Assert.That(tensor.bytes(), Is.EqualTo(weights[name].bytes()), name);
        }
        finally
        {
            LoadingFixtures.DisposeAll(weights.Values);
        }
    }

    /// <summary>Copies the golden pipeline folder (text encoder, tokenizer, scheduler, small UNet and VAE).</summary>
    internal static string CopyPipeline(string into)
    {
        string target = Path.Combine(into, "pipeline");
        foreach (var file in Directory.GetFiles(LoadingFixtures.Pipeline, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(LoadingFixtures.Pipeline, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }
}
