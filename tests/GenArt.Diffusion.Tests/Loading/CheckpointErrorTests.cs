using GenArt.Diffusion.Loading;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>Every refusal names the file, and for weights the key and both shapes.</summary>
public sealed class CheckpointErrorTests
{
    private const string Fc2 = "text_model.encoder.layers.0.mlp.fc2";

    [TestCase("model.ckpt")]
    [TestCase("model.pt")]
    [TestCase("model.pth")]
    [TestCase("pytorch_model.bin")]
    public void PickleFilesAreRefusedWithHowToConvert(string name)
    {
        using var temp = new LoadingFixtures.TempFolder();
        File.WriteAllBytes(temp.File(name), [0x80, 0x02, 0x7d, 0x71]);
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.File(name)).Dispose());
        Assert.That(e!.Message, Does.StartWith(temp.File(name) + ": pickle checkpoints")
            .And.Contain("arbitrary code")
            .And.Contain("safetensors.torch.save_file"));
    }

    [TestCase(new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0 }, TestName = "ZipArchiveRenamedToSafetensors")]
    [TestCase(new byte[] { 0x80, 0x04, 0x95, 0x00 }, TestName = "LegacyPickleRenamedToSafetensors")]
    public void PickleContentIsRefusedWhateverTheName(byte[] head)
    {
        using var temp = new LoadingFixtures.TempFolder();
        File.WriteAllBytes(temp.File("model.safetensors"), head);
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.File("model.safetensors")).Dispose());
        Assert.That(e!.Message, Does.Contain("pickle checkpoints"));
    }

    [Test]
    public void AFolderWithOnlyPickledWeightsIsRefused()
    {
        using var temp = new LoadingFixtures.TempFolder();
        string folder = DiffusersFolderTests.CopyPipeline(temp.Path);
        File.Move(Path.Combine(folder, "vae", "diffusion_pytorch_model.safetensors"), Path.Combine(folder, "vae", "diffusion_pytorch_model.bin"));
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(folder).Dispose());
        Assert.That(e!.Path, Is.EqualTo(Path.Combine(folder, "vae", "diffusion_pytorch_model.bin")));
    }

    [Test]
    public void AMissingKeyIsNamedWithTheFileAndShape()
    {
        using var temp = new LoadingFixtures.TempFolder();
        WriteSd1(temp.File("sd1.safetensors"), drop: $"cond_stage_model.transformer.{Fc2}.bias");
        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("sd1.safetensors"), LoadingFixtures.TinyOptions);
        var e = Assert.Throws<CheckpointException>(() => checkpoint.LoadTextEncoder().Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{temp.File("sd1.safetensors")}: missing key '{Fc2}.bias' (the model expects shape [32])"));
    }

    [Test]
    public void AMismatchedShapeIsNamedWithBothKeysAndShapes()
    {
        using var temp = new LoadingFixtures.TempFolder();
        using var wrong = torch.zeros([32, 63]);
        WriteSd1(temp.File("sd1.safetensors"), replace: ($"cond_stage_model.transformer.{Fc2}.weight", wrong));
        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("sd1.safetensors"), LoadingFixtures.TinyOptions);
        var e = Assert.Throws<CheckpointException>(() => checkpoint.LoadTextEncoder().Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{temp.File("sd1.safetensors")}: key '{Fc2}.weight' " +
            $"(checkpoint key 'cond_stage_model.transformer.{Fc2}.weight') has shape [32, 63] but the model expects [32, 64]"));
    }

    [Test]
    public void KeysTheModelLacksAreRefused()
    {
        using var temp = new LoadingFixtures.TempFolder();
        using var extra = torch.zeros([32]);
        WriteSd1(temp.File("sd1.safetensors"), replace: ("cond_stage_model.transformer.text_model.encoder.layers.0.mlp.extra.bias", extra));
        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("sd1.safetensors"), LoadingFixtures.TinyOptions);
        var e = Assert.Throws<CheckpointException>(() => checkpoint.LoadTextEncoder().Dispose());
        Assert.That(e!.Message, Does.Contain("1 text_encoder key(s) the model does not have, first 'text_model.encoder.layers.0.mlp.extra.bias'"));
    }

    [Test]
    public void AnUnknownLdmKeyIsNamed()
    {
        using var temp = new LoadingFixtures.TempFolder();
        using var stray = torch.zeros([4]);
        LoadingFixtures.WriteSingleFile(temp.File("x.safetensors"), new Dictionary<string, Tensor> { ["model.diffusion_model.input_blocks.1.7.weight"] = stray });
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.File("x.safetensors"), LoadingFixtures.TinyOptions).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{temp.File("x.safetensors")}: unrecognised UNet key 'model.diffusion_model.input_blocks.1.7.weight' (not part of an SD 1.x/2.x UNet)"));
    }

    [Test]
    public void ADiffusersWeightFileIsNotASingleFileCheckpoint()
    {
        string unet = Path.Combine(LoadingFixtures.Pipeline, "unet", "diffusion_pytorch_model.safetensors");
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(unet).Dispose());
        Assert.That(e!.Message, Does.StartWith(unet + ": no UNet tensors (no key starts with 'model.diffusion_model.')"));
    }

    [Test]
    public void UnknownFilesAndFoldersAreRefused()
    {
        using var temp = new LoadingFixtures.TempFolder();
        File.WriteAllText(temp.File("notes.txt"), "hello");
        Assert.Multiple(() =>
        {
            var txt = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.File("notes.txt")).Dispose());
            Assert.That(txt!.Message, Does.StartWith(temp.File("notes.txt") + ": not a checkpoint this loader reads"));
            var none = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.File("absent.safetensors")).Dispose());
            Assert.That(none!.Message, Is.EqualTo(temp.File("absent.safetensors") + ": no such file or folder"));
            var folder = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(temp.Path).Dispose());
            Assert.That(folder!.Message, Is.EqualTo(temp.Path + ": not a diffusers folder: model_index.json is missing"));
        });
    }

    [Test]
    public void TheDefaultGroupCountDoesNotFitTheTinyVae()
    {
        // SD's 32 groups cannot split the tiny VAE's 16 channels; the error says which option to set.
        var e = Assert.Throws<CheckpointException>(() => StableDiffusionCheckpoint.Open(LoadingFixtures.SingleFile, new CheckpointOptions { TokenizerPath = LoadingFixtures.Vocab }).Dispose());
        Assert.That(e!.Message, Does.Contain("does not divide into 32 groups; set CheckpointOptions.NormNumGroups"));
    }

    [Test]
    public void AMissingTokenizerIsReportedWhenAskedFor()
    {
        using var temp = new LoadingFixtures.TempFolder();
        File.Copy(LoadingFixtures.SingleFile, temp.File("tiny.safetensors"));
        using var checkpoint = StableDiffusionCheckpoint.Open(temp.File("tiny.safetensors"), LoadingFixtures.TinyOptions with { TokenizerPath = null });
        Assert.That(checkpoint.TokenizerPath, Is.Null);
        var e = Assert.Throws<CheckpointException>(() => checkpoint.LoadTokenizer());
        Assert.That(e!.Message, Does.Contain(Path.Combine(temp.Path, "bpe_simple_vocab_16e6.txt.gz")).And.Contain("CheckpointOptions.TokenizerPath"));

        // The vocabulary placed beside the file is found without configuration.
        File.Copy(LoadingFixtures.Vocab, temp.File("bpe_simple_vocab_16e6.txt.gz"));
        using var again = StableDiffusionCheckpoint.Open(temp.File("tiny.safetensors"), LoadingFixtures.TinyOptions with { TokenizerPath = null });
        Assert.That(again.LoadTokenizer().Tokenize("a horse").Ids.Take(4), Is.EqualTo(new[] { 49406, 320, 4558, 49407 }));
    }

    private static void WriteSd1(string path, string? drop = null, (string Name, Tensor Tensor)? replace = null)
    {
        var text = LoadingFixtures.TransformersTextEncoder();
        try
        {
            var extra = new Dictionary<string, Tensor>(text);
            if (replace is { } r) extra[r.Name] = r.Tensor;
            LoadingFixtures.WriteSingleFile(path, extra, drop is null ? [] : [drop]);
        }
        finally
        {
            LoadingFixtures.DisposeAll(text.Values);
        }
    }
}
