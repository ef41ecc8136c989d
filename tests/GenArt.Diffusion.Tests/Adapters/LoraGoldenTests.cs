using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Tests.Models;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Adapters;

/// <summary>Case 6 of the reference goldens: the kohya and diffusers/PEFT LoRA at scale 0.8 on the tiny UNet and text
/// encoder, applied per sample (never merged) against diffusers' merged outputs.</summary>
[TestFixture]
public sealed class LoraGoldenTests
{
    private const double Scale = 0.8;
    private UNet2DConditionModel unet = null!;
    private ClipTextModel text = null!;
    private BaseModelShapes shapes = null!;

    [OneTimeSetUp]
    public void Load()
    {
        string folder = LoraFiles.Pipeline;
        unet = new UNet2DConditionModel(UNetConfig.FromFile(Path.Combine(folder, "unet", "config.json")));
        using (var w = new SafeTensorsSource(Path.Combine(folder, "unet", "diffusion_pytorch_model.safetensors"))) unet.Load(w);
        unet.Eval();
        text = new ClipTextModel(ClipTextConfig.FromFile(Path.Combine(folder, "text_encoder", "config.json")));
        using (var w = new SafeTensorsSource(Path.Combine(folder, "text_encoder", "model.safetensors"))) text.LoadWeights(w);
        text.Eval();
        shapes = BaseModelShapes.FromModels(unet, text);
    }

    [OneTimeTearDown]
    public void Release()
    {
        unet.Dispose();
        text.Dispose();
    }

    public static IEnumerable<string> Files() => [LoraFiles.Kohya, LoraFiles.DiffusersPeft];

    [TestCaseSource(nameof(Files))]
    public void UnetNoisePredMatchesTheMergedReference(string file)
    {
        using var adapter = LoraAdapterFile.Load(file, shapes);
        using var golden = SafeTensorsFile.Open(ModelFixtures.Golden("lora/unet_lora_io.safetensors"));
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var weightsBefore = unet.StateDict().ToDictionary(p => p.Key, p => p.Value.clone());

        using var batch = new LoraBatch(unet, text, [[new LoraUse(adapter, Scale)], [new LoraUse(adapter, Scale)]]);
        batch.SetRows([0, 1]);
        Tensor output;
        using (LayerOutputHooks.Use(batch))
            output = unet.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states"));
        ModelFixtures.AssertClose(golden, "noise_pred_lora", output);
        ModelFixtures.AssertClose(golden, "noise_pred_lora_unmerged", output);
        using (var noLora = golden.Load("noise_pred_no_lora"))
            Assert.That(ModelFixtures.MaxAbsDiff(output, noLora), Is.GreaterThan(0.5), "the LoRA must change the output");

        // the shared weights are untouched, and without the hook the model is the base model again
        foreach (var (name, t) in unet.StateDict()) Assert.That(t.equal(weightsBefore[name]), Is.True, name);
        var plain = unet.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states"));
        ModelFixtures.AssertClose(golden, "noise_pred_no_lora", plain);
    }

    [Test]
    public void GuidedRowsOfOneSampleMatchTheReferenceToo()
    {
        // rows [0, 0]: one sample's uncond and cond rows, which the batch takes together as one entry of 2N tokens
        using var adapter = LoraAdapterFile.Load(LoraFiles.Kohya, shapes);
        using var golden = SafeTensorsFile.Open(ModelFixtures.Golden("lora/unet_lora_io.safetensors"));
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var batch = new LoraBatch(unet, text, [[new LoraUse(adapter, Scale)]]);
        batch.SetGuidedRows([0]);
        Tensor output;
        using (LayerOutputHooks.Use(batch))
            output = unet.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states"));
        ModelFixtures.AssertClose(golden, "noise_pred_lora", output);
    }

    [TestCaseSource(nameof(Files))]
    public void OnlyTheRowsOfAdaptedSamplesChange(string file)
    {
        using var adapter = LoraAdapterFile.Load(file, shapes);
        using var golden = SafeTensorsFile.Open(ModelFixtures.Golden("lora/unet_lora_io.safetensors"));
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        // sample 0 has the LoRA, sample 1 has none: row 0 is the LoRA reference's row 0, row 1 the base's row 1
        using var batch = new LoraBatch(unet, text, [[new LoraUse(adapter, Scale)], []]);
        batch.SetRows([0, 1]);
        Tensor output;
        using (LayerOutputHooks.Use(batch))
            output = unet.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states"));
        using var lora = golden.Load("noise_pred_lora");
        using var none = golden.Load("noise_pred_no_lora");
        Assert.That(ModelFixtures.MaxAbsDiff(output.narrow(0, 0, 1), lora.narrow(0, 0, 1)), Is.LessThanOrEqualTo(1e-4));
        Assert.That(ModelFixtures.MaxAbsDiff(output.narrow(0, 1, 1), none.narrow(0, 1, 1)), Is.LessThanOrEqualTo(1e-4));
    }

    [TestCaseSource(nameof(Files))]
    public void TextEncoderMatchesTheMergedReference(string file)
    {
        using var adapter = LoraAdapterFile.Load(file, shapes);
        using var golden = SafeTensorsFile.Open(ModelFixtures.Golden("lora/text_encoder_lora_io.safetensors"));
        using var mode = torch.inference_mode();
        using var ids = golden.Load("input_ids");
        using var batch = new LoraBatch(unet, text, [[new LoraUse(adapter, Scale)], [new LoraUse(adapter, Scale)]]);
        batch.SetRows([0, 1]);
        using (LayerOutputHooks.Use(batch))
        {
            using var output = text.Forward(ids, outputHiddenStates: true);
            using var hidden = torch.stack(output.HiddenStates!);
            ModelFixtures.AssertClose(golden, "last_hidden_state", output.LastHiddenState);
            ModelFixtures.AssertClose(golden, "pooler_output", output.PooledOutput);
            ModelFixtures.AssertClose(golden, "hidden_states", hidden);
            using var penultimate = text.Encode(ids, clipSkip: 1);
            ModelFixtures.AssertClose(golden, "penultimate_final_layer_norm", penultimate);
        }
        using var baseGolden = SafeTensorsFile.Open(ModelFixtures.Golden("text_encoder/text_encoder_io.safetensors"));
        using var plain = text.Encode(ids);
        ModelFixtures.AssertClose(baseGolden, "last_hidden_state", plain);
    }
}
