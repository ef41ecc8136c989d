using System.Text.Json;
using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Tests.Adapters;

/// <summary>Format detection, key mapping and validation of adapter files against the tiny golden model's shapes.</summary>
[TestFixture]
public sealed class LoraAdapterFileTests
{
    private BaseModelShapes shapes = null!;
    private string temp = null!;

    [OneTimeSetUp]
    public void Setup()
    {
        shapes = BaseModelShapes.FromModelFolder(LoraFiles.Pipeline);
        temp = LoraFiles.TempFolder();
    }

    [OneTimeTearDown]
    public void Cleanup() => Directory.Delete(temp, true);

    [Test]
    public void ShapesFromHeadersEqualTheLoadedModelsLayers()
    {
        using var unet = new UNet2DConditionModel(UNetConfig.FromFile(Path.Combine(LoraFiles.Pipeline, "unet", "config.json")));
        using var text = new ClipTextModel(ClipTextConfig.FromFile(Path.Combine(LoraFiles.Pipeline, "text_encoder", "config.json")));
        var fromModels = BaseModelShapes.FromModels(unet, text);
        Assert.That(shapes.Unet.Keys, Is.EquivalentTo(fromModels.Unet.Keys));
        Assert.That(shapes.TextEncoder.Keys, Is.EquivalentTo(fromModels.TextEncoder.Keys));
        foreach (var (k, s) in fromModels.Unet) Assert.That(shapes.Unet[k], Is.EqualTo(s), k);
        foreach (var (k, s) in fromModels.TextEncoder) Assert.That(shapes.TextEncoder[k], Is.EqualTo(s), k);
        Assert.That(shapes.Unet, Contains.Key("down_blocks.0.resnets.0.conv1"));
        Assert.That(shapes.TextEncoder, Does.Not.ContainKey("text_model.embeddings.token_embedding"));
    }

    [Test]
    public void KohyaGoldenIsReadWithEveryModuleMappedAsDiffusersMapsIt()
    {
        var summary = LoraAdapterFile.Inspect(LoraFiles.Kohya, shapes);
        Assert.That(summary.Format, Is.EqualTo(LoraFormat.Kohya));
        Assert.That(summary.FormatName, Is.EqualTo("kohya"));
        Assert.That(summary.UnetTargetCount, Is.EqualTo(74));
        Assert.That(summary.TextEncoderTargetCount, Is.EqualTo(18));
        Assert.That(summary.TargetCount, Is.EqualTo(92));
        Assert.That(summary.Rank, Is.EqualTo(4));
        Assert.That(summary.Alpha, Is.EqualTo(2.0), "74 UNet layers at alpha 2 outnumber 18 text-encoder layers at 3");
        Assert.That(summary.Targets.Where(t => t.Component == LoraComponent.TextEncoder).Select(t => t.Alpha), Is.All.EqualTo(3.0));
        var conv = summary.Targets.Single(t => t.Module == "down_blocks.0.resnets.0.conv1");
        Assert.That(conv.Kind, Is.EqualTo(LoraLayerKind.Conv2d));
        Assert.That(conv.BaseShape.Skip(2), Is.EqualTo(new long[] { 3, 3 }));

        using var doc = JsonDocument.Parse(File.ReadAllText(LoraFiles.Conversion));
        var map = doc.RootElement.GetProperty("kohya_to_peft_module_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.That(map, Has.Count.EqualTo(92));
        foreach (var t in summary.Targets)
        {
            string kohyaName = t.DownKey[..t.DownKey.IndexOf(".lora_down", StringComparison.Ordinal)];
            Assert.That(map[kohyaName], Is.EqualTo(t.Module), kohyaName);
        }
    }

    [Test]
    public void DiffusersGoldenTakesItsAlphasFromTheAdapterMetadata()
    {
        var summary = LoraAdapterFile.Inspect(LoraFiles.DiffusersPeft, shapes);
        Assert.That(summary.Format, Is.EqualTo(LoraFormat.Diffusers));
        Assert.That(summary.TargetCount, Is.EqualTo(92));
        Assert.That(summary.Targets.Where(t => t.Component == LoraComponent.Unet).Select(t => t.Alpha), Is.All.EqualTo(2.0));
        Assert.That(summary.Targets.Where(t => t.Component == LoraComponent.TextEncoder).Select(t => t.Alpha), Is.All.EqualTo(3.0));
        var kohya = LoraAdapterFile.Inspect(LoraFiles.Kohya, shapes);
        Assert.That(summary.Targets.Select(t => (t.Component, t.Module, t.Rank, t.Alpha)),
            Is.EqualTo(kohya.Targets.Select(t => (t.Component, t.Module, t.Rank, t.Alpha))));
    }

    [Test]
    public void PeftLayoutWithoutAlphasUsesTheRank()
    {
        var tensors = LoraFiles.Read(LoraFiles.DiffusersPeft, k => k.StartsWith("unet.", StringComparison.Ordinal) ? "base_model.model." + k["unet.".Length..] : null);
        string path = LoraFiles.Write(temp, "peft_unet.safetensors", tensors);
        var summary = LoraAdapterFile.Inspect(path, shapes);
        Assert.That(summary.Format, Is.EqualTo(LoraFormat.Peft));
        Assert.That(summary.TargetCount, Is.EqualTo(74));
        Assert.That(summary.Targets.Select(t => t.Alpha), Is.All.EqualTo(4.0));

        var text = LoraFiles.Read(LoraFiles.DiffusersPeft, k => k.StartsWith("text_encoder.", StringComparison.Ordinal) ? "base_model.model." + k["text_encoder.".Length..] : null);
        var textSummary = LoraAdapterFile.Inspect(LoraFiles.Write(temp, "peft_text.safetensors", text), shapes);
        Assert.That(textSummary.TextEncoderTargetCount, Is.EqualTo(18));
    }

    [Test]
    public void LegacyDiffusersNamesMapToTheSameModules()
    {
        var tensors = LoraFiles.Read(LoraFiles.DiffusersPeft, k =>
        {
            if (!k.StartsWith("unet.", StringComparison.Ordinal) || !k.Contains(".attn1.", StringComparison.Ordinal)) return null;
            // attention-processor names: attn1.processor.to_q_lora.down.weight, attn1.processor.to_out_lora.up.weight
            return k.Replace(".to_out.0.lora_A.weight", ".processor.to_out_lora.down.weight").Replace(".to_out.0.lora_B.weight", ".processor.to_out_lora.up.weight")
                .Replace(".to_q.lora_A.weight", ".processor.to_q_lora.down.weight").Replace(".to_q.lora_B.weight", ".processor.to_q_lora.up.weight")
                .Replace(".lora_A.weight", ".lora.down.weight").Replace(".lora_B.weight", ".lora.up.weight");
        });
        var summary = LoraAdapterFile.Inspect(LoraFiles.Write(temp, "legacy.safetensors", tensors), shapes);
        Assert.That(summary.Format, Is.EqualTo(LoraFormat.Diffusers));
        Assert.That(summary.Targets.Select(t => t.Module), Does.Contain("mid_block.attentions.0.transformer_blocks.0.attn1.to_out.0"));
        Assert.That(summary.Targets.Select(t => t.Module), Does.Contain("mid_block.attentions.0.transformer_blocks.0.attn1.to_q"));
        Assert.That(summary.TargetCount, Is.EqualTo(6 * 4), "six transformer blocks, four attn1 projections each");
    }

    [TestCase(new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 0, 0 }, "adapter.ckpt")]
    [TestCase(new byte[] { 0x80, 0x02, (byte)'}', (byte)'q', 0, 0, 0, 0 }, "adapter.bin")]
    [TestCase(new byte[] { 0x80, 0x04, 0x95, 0, 0, 0, 0, 0 }, "adapter.safetensors")]
    public void PicklesAreRefusedByTheirFirstBytes(byte[] head, string name)
    {
        string path = Path.Combine(temp, name);
        File.WriteAllBytes(path, head.Concat(new byte[64]).ToArray());
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(path, shapes));
        Assert.That(e!.Message, Does.Contain("pickle files are not accepted"));
        Assert.That(e.Message, Does.Contain(path));
    }

    [Test]
    public void CorruptSafetensorsCarryTheReadersMessage()
    {
        var bytes = File.ReadAllBytes(LoraFiles.Kohya);
        string truncated = Path.Combine(temp, "truncated.safetensors");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(truncated, shapes));
        Assert.That(e!.Message, Does.Contain("not a valid safetensors file"));
        Assert.That(e.InnerException, Is.InstanceOf<GenArt.Torch.SafeTensors.SafeTensorsException>());
        Assert.That(e.Message, Does.Contain(e.InnerException!.Message));

        string tiny = Path.Combine(temp, "tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.That(Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(tiny, shapes))!.Message, Does.Contain("file-too-small"));
        Assert.Throws<FileNotFoundException>(() => LoraAdapterFile.Inspect(Path.Combine(temp, "absent.safetensors"), shapes));
    }

    [Test]
    public void UnknownKeysAreListed()
    {
        var tensors = LoraFiles.Read(LoraFiles.Kohya);
        tensors["lora_unet_mid_block_attentions_0_proj_in.hada_w1_a"] = torch.zeros([4, 32]);
        tensors["model.diffusion_model.foo"] = torch.zeros([1]);
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "unknown.safetensors", tensors), shapes));
        Assert.That(e!.Keys, Is.EquivalentTo(new[] { "lora_unet_mid_block_attentions_0_proj_in.hada_w1_a", "model.diffusion_model.foo" }));
        Assert.That(e.Message, Does.Contain("no known LoRA layout").And.Contain("hada_w1_a").And.Contain("model.diffusion_model.foo"));
    }

    [Test]
    public void TargetsTheModelDoesNotHaveAreListed()
    {
        var tensors = LoraFiles.Read(LoraFiles.Kohya);
        tensors["lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight"] = torch.zeros([4, 32, 1, 1]);
        tensors["lora_unet_down_blocks_9_attentions_0_proj_in.lora_up.weight"] = torch.zeros([32, 4, 1, 1]);
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "extra.safetensors", tensors), shapes));
        Assert.That(e!.Message, Does.Contain("does not have"));
        Assert.That(e.Keys, Is.EquivalentTo(new[] { "lora_unet_down_blocks_9_attentions_0_proj_in.lora_down.weight", "lora_unet_down_blocks_9_attentions_0_proj_in.lora_up.weight" }));
    }

    [Test]
    public void ShapeMismatchesNameTheKeyAndBothShapes()
    {
        const string down = "lora_unet_down_blocks_0_resnets_0_conv1.lora_down.weight";
        var tensors = LoraFiles.Read(LoraFiles.Kohya);
        tensors[down].Dispose();
        tensors[down] = torch.zeros([4, 32, 1, 1]); // a 1x1 down for a 3x3 conv
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "shape.safetensors", tensors), shapes));
        Assert.That(e!.Message, Does.Contain("shapes do not fit").And.Contain(down).And.Contain("[4, 32, 1, 1]").And.Contain("[r, 32, 3, 3]"));
        Assert.That(e.Keys, Does.Contain(down));

        const string up = "lora_te_text_model_encoder_layers_1_mlp_fc1.lora_up.weight";
        var more = LoraFiles.Read(LoraFiles.Kohya);
        more[up].Dispose();
        more[up] = torch.zeros([64, 8]);
        var e2 = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "rank.safetensors", more), shapes));
        Assert.That(e2!.Message, Does.Contain(up).And.Contain("[64, 4]"));
    }

    [Test]
    public void HalfLayersMixedLayoutsAndBadAlphasAreRefused()
    {
        var half = LoraFiles.Read(LoraFiles.Kohya, k => k == "lora_unet_mid_block_attentions_0_proj_in.lora_up.weight" ? null : k);
        var e = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "half.safetensors", half), shapes));
        Assert.That(e!.Message, Does.Contain("without both"));
        Assert.That(e.Keys, Does.Contain("lora_unet_mid_block_attentions_0_proj_in.lora_down.weight"));

        var mixed = LoraFiles.Read(LoraFiles.Kohya);
        mixed["unet.mid_block.attentions.0.proj_in.lora_A.weight"] = torch.zeros([4, 32, 1, 1]);
        var e2 = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "mixed.safetensors", mixed), shapes));
        Assert.That(e2!.Message, Does.Contain("more than one layout"));

        var alpha = LoraFiles.Read(LoraFiles.Kohya);
        alpha["lora_te_text_model_encoder_layers_0_mlp_fc1.alpha"].Dispose();
        alpha["lora_te_text_model_encoder_layers_0_mlp_fc1.alpha"] = torch.tensor(new float[] { -1f });
        var e3 = Assert.Throws<LoraFormatException>(() => LoraAdapterFile.Inspect(LoraFiles.Write(temp, "alpha.safetensors", alpha), shapes));
        Assert.That(e3!.Keys, Is.EqualTo(new[] { "lora_te_text_model_encoder_layers_0_mlp_fc1.alpha" }));

        var empty = Assert.Throws<LoraFormatException>(() =>
            LoraAdapterFile.Inspect(LoraFiles.Write(temp, "empty.safetensors", new Dictionary<string, Tensor>()), shapes));
        Assert.That(empty!.Message, Does.Contain("no tensors"));
    }

    [Test]
    public void LoadGivesTensorsShapedForApplication()
    {
        using var adapter = LoraAdapterFile.Load(LoraFiles.Kohya, shapes, id: "golden");
        Assert.That(adapter.Id, Is.EqualTo("golden"));
        Assert.That(adapter.Layers, Has.Count.EqualTo(92));
        var conv = adapter.Layers.Single(l => l.Target.Module == "down_blocks.0.resnets.0.conv1");
        Assert.That(conv.Down.shape, Is.EqualTo(new long[] { 4, 32, 3, 3 }));
        Assert.That(conv.Up.shape.Length, Is.EqualTo(2));
        Assert.That(conv.Multiplier, Is.EqualTo(0.5));
        long bytes = adapter.Layers.Sum(l => (l.Down.numel() + l.Up.numel()) * 4);
        Assert.That(adapter.SizeBytes, Is.EqualTo(bytes));
        Assert.That(bytes, Is.GreaterThan(100_000));
    }
}
