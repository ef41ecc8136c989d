using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Models.TextEncoder;

/// <summary>Case 3 of the reference goldens: transformers' CLIPTextModel on the tiny pipeline text encoder.</summary>
public sealed class ClipTextModelGoldenTests
{
    private const double Tolerance = 1e-4;

    private static ClipTextModel LoadGoldenModel(ScalarType dtype = ScalarType.Float32)
    {
        var folder = GoldenFiles.Golden("pipeline", "text_encoder");
        var model = new ClipTextModel(ClipTextConfig.FromFile(Path.Combine(folder, "config.json")));
        using var source = new SafeTensorsSource(Path.Combine(folder, "model.safetensors"));
        model.LoadWeights(source, dtype);
        return model;
    }

    private static SafeTensorsFile OpenIo() => SafeTensorsFile.Open(GoldenFiles.Golden("text_encoder", "text_encoder_io.safetensors"));

    [Test]
    public void ForwardMatchesEveryGoldenOutput()
    {
        using var model = LoadGoldenModel();
        using var io = OpenIo();
        using var _ = torch.inference_mode();
        using var ids = io.Load("input_ids");
        using var output = model.Forward(ids, outputHiddenStates: true);

        using var expectedLast = io.Load("last_hidden_state");
        using var expectedPooled = io.Load("pooler_output");
        using var expectedHidden = io.Load("hidden_states");
        using var expectedPenultimate = io.Load("penultimate_hidden_state");
        using var hidden = torch.stack(output.HiddenStates!);

        Assert.Multiple(() =>
        {
            Assert.That(output.HiddenStates, Has.Count.EqualTo(4));
            Assert.That(GoldenFiles.MaxAbsDiff(output.LastHiddenState, expectedLast), Is.LessThan(Tolerance));
            Assert.That(GoldenFiles.MaxAbsDiff(output.PooledOutput, expectedPooled), Is.LessThan(Tolerance));
            Assert.That(GoldenFiles.MaxAbsDiff(hidden, expectedHidden), Is.LessThan(Tolerance));
            Assert.That(GoldenFiles.MaxAbsDiff(output.HiddenStates![2], expectedPenultimate), Is.LessThan(Tolerance));
        });
        TestContext.Out.WriteLine($"last_hidden_state max abs {GoldenFiles.MaxAbsDiff(output.LastHiddenState, expectedLast):E2}, " +
            $"hidden_states {GoldenFiles.MaxAbsDiff(hidden, expectedHidden):E2}, pooler {GoldenFiles.MaxAbsDiff(output.PooledOutput, expectedPooled):E2}");
    }

    [Test]
    public void EncodeFollowsDiffusersClipSkip()
    {
        using var model = LoadGoldenModel();
        using var io = OpenIo();
        using var _ = torch.inference_mode();
        using var ids = io.Load("input_ids");
        using var last = model.Encode(ids);
        using var skipOne = model.Encode(ids, clipSkip: 1);
        using var expectedLast = io.Load("last_hidden_state");
        using var expectedSkip = io.Load("penultimate_final_layer_norm");

        double skipError = GoldenFiles.MaxAbsDiff(skipOne, expectedSkip);
        Assert.Multiple(() =>
        {
            Assert.That(GoldenFiles.MaxAbsDiff(last, expectedLast), Is.LessThan(Tolerance));
            Assert.That(skipError, Is.LessThan(Tolerance));
            // The skip really changes the embedding (not the last layer under another name).
            Assert.That(GoldenFiles.MaxAbsDiff(skipOne, expectedLast), Is.GreaterThan(0.1));
        });
        TestContext.Out.WriteLine($"penultimate_final_layer_norm max abs {skipError:E2}");
    }

    [Test]
    public void ClipSkipOutsideTheLayersIsRefused()
    {
        using var model = LoadGoldenModel();
        using var ids = torch.zeros([1, 77], ScalarType.Int64);
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(ids, 3).Dispose());
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(ids, -1).Dispose());
        });
    }

    [Test]
    public void Float64WeightsAgreeWithTheFloat32Golden()
    {
        using var model = LoadGoldenModel(ScalarType.Float64);
        using var io = OpenIo();
        using var _ = torch.inference_mode();
        using var ids = io.Load("input_ids");
        using var last = model.Encode(ids);
        using var expected = io.Load("last_hidden_state");
        Assert.Multiple(() =>
        {
            Assert.That(last.dtype, Is.EqualTo(ScalarType.Float64));
            // The float32 golden itself is within ~1.3e-6 of float64 (README, error floor table).
            Assert.That(GoldenFiles.MaxAbsDiff(last, expected), Is.LessThan(1e-5));
        });
    }

    [Test]
    public void CheckpointsWithAPositionIdsBufferLoad()
    {
        var path = Path.Combine(GoldenFiles.Golden("pipeline", "text_encoder"), "model.safetensors");
        using var file = SafeTensorsFile.Open(path);
        var tensors = file.Names.ToDictionary(n => n, n => file.Load(n));
        using var positionIds = torch.arange(77).view(1, 77);
        tensors["text_model.embeddings.position_ids"] = positionIds;
        try
        {
            var source = new DictionaryTensorSource(tensors);
            using var model = new ClipTextModel(ClipTextConfig.FromFile(Path.Combine(GoldenFiles.Golden("pipeline", "text_encoder"), "config.json")));
            model.LoadWeights(source);
            using var io = OpenIo();
            using var _ = torch.inference_mode();
            using var ids = io.Load("input_ids");
            using var last = model.Encode(ids);
            using var expected = io.Load("last_hidden_state");
            Assert.That(GoldenFiles.MaxAbsDiff(last, expected), Is.LessThan(Tolerance));
        }
        finally
        {
            foreach (var (name, t) in tensors)
                if (name != "text_model.embeddings.position_ids") t.Dispose();
        }
    }

    [Test]
    public void PoolingUsesTheFirstEosPositionWhenEosIsNotTheLegacyTwo()
    {
        // With eos_token_id 320 the pooled row is where id 320 first appears, not at argmax(ids).
        var config = ClipTextConfig.FromFile(Path.Combine(GoldenFiles.Golden("pipeline", "text_encoder"), "config.json")) with { EosTokenId = 320 };
        using var model = new ClipTextModel(config);
        using var generator = new Generator(5);
        model.ResetParameters(generator);
        long[] ids = [49406, 550, 320, 1125, 320, 49407, 49407, 49407];
        using var input = torch.tensor(ids, 1, 8);
        using var _ = torch.inference_mode();
        using var output = model.Forward(input);
        using var expected = output.LastHiddenState.select(1, 2);
        using var atArgmax = output.LastHiddenState.select(1, 5);
        Assert.Multiple(() =>
        {
            Assert.That(GoldenFiles.MaxAbsDiff(output.PooledOutput, expected), Is.EqualTo(0));
            Assert.That(GoldenFiles.MaxAbsDiff(output.PooledOutput, atArgmax), Is.GreaterThan(0));
        });
    }
}
