using GenArt.Diffusion.Models.Unet;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Models.Unet;

/// <summary>Case 1 of the reference goldens: the tiny UNet of golden/pipeline/unet against diffusers' outputs.</summary>
[TestFixture]
public sealed class UNetGoldenTests
{
    private UNet2DConditionModel model = null!;
    private SafeTensorsFile golden = null!;

    [OneTimeSetUp]
    public void Load()
    {
        string folder = ModelFixtures.Golden("pipeline/unet");
        model = new UNet2DConditionModel(UNetConfig.FromFile(Path.Combine(folder, "config.json")));
        using (var weights = new SafeTensorsSource(Path.Combine(folder, "diffusion_pytorch_model.safetensors")))
            model.Load(weights, strict: true);
        model.Eval();
        golden = SafeTensorsFile.Open(ModelFixtures.Golden("unet/unet_io.safetensors"));
    }

    [OneTimeTearDown]
    public void Release()
    {
        model.Dispose();
        golden.Dispose();
    }

    [Test]
    public void ParameterNamesAndShapesEqualTheCheckpoint()
    {
        using var file = SafeTensorsFile.Open(ModelFixtures.Golden("pipeline/unet/diffusion_pytorch_model.safetensors"));
        var ours = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.That(ours.Keys, Is.EquivalentTo(file.Names));
        Assert.That(ours, Has.Count.EqualTo(304));
        foreach (var (name, shape) in ours)
            Assert.That(shape, Is.EqualTo(file.Info(name).Shape), name);
    }

    [Test]
    public void NoisePredAndEveryIntermediateMatchTheReference()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var captured = new Dictionary<string, Tensor>();
        try
        {
            // captures are freed with the forward's own scope: keep detached clones
            var output = model.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states"),
                (name, t) => captured[name] = t.clone().DetachFromDisposeScope());

            ModelFixtures.AssertClose(golden, "noise_pred", output);
            var debugKeys = golden.Names.Where(n => n.StartsWith("debug.", StringComparison.Ordinal)).OrderBy(n => n).ToList();
            Assert.That(debugKeys, Has.Count.EqualTo(10));
            foreach (var key in debugKeys)
            {
                string name = key["debug.".Length..];
                Assert.That(captured, Contains.Key(name), "no capture named " + name);
                ModelFixtures.AssertClose(golden, key, captured[name]);
            }
        }
        finally
        {
            foreach (var t in captured.Values) t.Dispose();
        }
    }

    [Test]
    public void ScalarTimestepIsBroadcastToTheBatch()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var t = golden.Load("timestep_scalar");
        Assert.That(t.ndim, Is.Zero);
        var output = model.forward(golden.Load("sample"), t, golden.Load("encoder_hidden_states"));
        ModelFixtures.AssertClose(golden, "noise_pred_scalar_t", output);
    }

    [Test]
    public void ShortTextConditioningMatchesTheReference()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var output = model.forward(golden.Load("sample"), golden.Load("timestep"), golden.Load("encoder_hidden_states_short"));
        ModelFixtures.AssertClose(golden, "noise_pred_short", output);
    }

    [Test]
    public void FloatTimestepsGiveTheSameResultAsIntegerOnes()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var t = golden.Load("timestep");
        var output = model.forward(golden.Load("sample"), t.to(ScalarType.Float32), golden.Load("encoder_hidden_states"));
        ModelFixtures.AssertClose(golden, "noise_pred", output);
    }

    [Test]
    public void SizesThatAreNotAMultipleOfTheDownsamplingAreUpsampledToTheSkipSize()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(7);
        var sample = torch.randn([1, 4, 15, 13], gen);
        var text = torch.randn([1, 5, 32], gen);
        var output = model.forward(sample, torch.tensor(new long[] { 500 }, 1), text);
        Assert.That(output.shape, Is.EqualTo(new long[] { 1, 4, 15, 13 }));
        Assert.That(ModelFixtures.AllFinite(output), Is.True);
    }

    [Test]
    public void BatchElementsAreIndependent()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var sample = golden.Load("sample");
        var t = golden.Load("timestep");
        var text = golden.Load("encoder_hidden_states");
        var both = model.forward(sample, t, text);
        var second = model.forward(sample.narrow(0, 1, 1), t.narrow(0, 1, 1), text.narrow(0, 1, 1));
        Assert.That(ModelFixtures.MaxAbsDiff(second, both.narrow(0, 1, 1)), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void MismatchedInputsAreRejected()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var sample = golden.Load("sample");
        var text = golden.Load("encoder_hidden_states");
        Assert.Throws<ArgumentException>(() => model.forward(sample, torch.tensor(new long[] { 1, 2, 3 }, 3), text));
        Assert.Throws<ArgumentException>(() => model.forward(sample.narrow(1, 0, 3), golden.Load("timestep"), text));
        Assert.Throws<ArgumentException>(() => model.forward(sample, golden.Load("timestep"), text.narrow(0, 0, 1)));
    }
}
