using GenArt.Diffusion.Models.Vae;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Models.Vae;

/// <summary>Case 2 of the reference goldens: the tiny VAE of golden/pipeline/vae against diffusers' outputs.</summary>
[TestFixture]
public sealed class AutoencoderKLGoldenTests
{
    private AutoencoderKL model = null!;
    private SafeTensorsFile golden = null!;

    [OneTimeSetUp]
    public void Load()
    {
        string folder = ModelFixtures.Golden("pipeline/vae");
        model = new AutoencoderKL(AutoencoderKLConfig.FromFile(Path.Combine(folder, "config.json")));
        using (var weights = new SafeTensorsSource(Path.Combine(folder, "diffusion_pytorch_model.safetensors")))
            model.Load(weights, strict: true);
        model.Eval();
        golden = SafeTensorsFile.Open(ModelFixtures.Golden("vae/vae_io.safetensors"));
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
        using var file = SafeTensorsFile.Open(ModelFixtures.Golden("pipeline/vae/diffusion_pytorch_model.safetensors"));
        var ours = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.shape);
        Assert.That(ours.Keys, Is.EquivalentTo(file.Names));
        Assert.That(ours, Has.Count.EqualTo(244));
        foreach (var (name, shape) in ours)
            Assert.That(shape, Is.EqualTo(file.Info(name).Shape), name);
    }

    [Test]
    public void ScalingFactorComesFromTheConfig()
    {
        Assert.That(model.ScalingFactor, Is.EqualTo(0.18215));
        Assert.That(model.ShiftFactor, Is.Null);
    }

    [Test]
    public void DecodeAndItsIntermediatesMatchTheReference()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var captured = new Dictionary<string, Tensor>();
        try
        {
            var image = model.Decode(golden.Load("decode_input_latent"), (name, t) => captured[name] = t.clone().DetachFromDisposeScope());
            ModelFixtures.AssertClose(golden, "decode_output_image", image);
            AssertDebugKeys("debug.decode.", captured, 4);
        }
        finally
        {
            foreach (var t in captured.Values) t.Dispose();
        }
    }

    [Test]
    public void EncodePosteriorAndItsIntermediatesMatchTheReference()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var captured = new Dictionary<string, Tensor>();
        try
        {
            using var posterior = model.Encode(golden.Load("encode_input_image"), (name, t) => captured[name] = t.clone().DetachFromDisposeScope());
            ModelFixtures.AssertClose(golden, "encode_mean", posterior.Mean);
            ModelFixtures.AssertClose(golden, "encode_logvar", posterior.LogVar);
            ModelFixtures.AssertClose(golden, "encode_std", posterior.Std);
            ModelFixtures.AssertClose(golden, "encode_mode", posterior.Mode());
            ModelFixtures.AssertClose(golden, "encode_mode_times_scaling_factor", model.Scale(posterior.Mode()), 1e-5);
            AssertDebugKeys("debug.encode.", captured, 5);
        }
        finally
        {
            foreach (var t in captured.Values) t.Dispose();
        }
    }

    private void AssertDebugKeys(string prefix, Dictionary<string, Tensor> captured, int expectedCount)
    {
        var keys = golden.Names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(n => n).ToList();
        Assert.That(keys, Has.Count.EqualTo(expectedCount));
        foreach (var key in keys)
        {
            string name = key[prefix.Length..];
            Assert.That(captured, Contains.Key(name), "no capture named " + name);
            ModelFixtures.AssertClose(golden, key, captured[name]);
        }
    }

    [Test]
    public void SlicedDecodingEqualsDecodingEachSampleAlone()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        using var gen = new Generator(11);
        var latents = torch.randn([2, 4, 8, 8], gen);
        bool before = model.UseSlicing;
        try
        {
            model.UseSlicing = true;
            var sliced = model.Decode(latents);
            var second = model.Decode(latents.narrow(0, 1, 1));
            model.UseSlicing = false;
            var whole = model.Decode(latents);
            Assert.That(sliced.shape, Is.EqualTo(new long[] { 2, 3, 64, 64 }));
            Assert.That(ModelFixtures.MaxAbsDiff(sliced.narrow(0, 1, 1), second), Is.Zero);
            // batched convolutions split their reductions differently: equal to float32 rounding, not bit for bit
            Assert.That(ModelFixtures.MaxAbsDiff(sliced, whole), Is.LessThanOrEqualTo(1e-4));
        }
        finally
        {
            model.UseSlicing = before;
        }
    }

    [Test]
    public void SamplingDrawsEachElementFromItsOwnGenerator()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var one = golden.Load("encode_input_image");
        var batch = torch.cat([one, one.flatten(2).flatten(1).neg().view(one.shape)], 0);
        using var posterior = model.Encode(batch);
        using var alone = model.Encode(one);
        using var g1 = new Generator(1);
        using var g2 = new Generator(2);
        var both = posterior.Sample([g1, g2]);
        using var g1Again = new Generator(1);
        var first = alone.Sample([g1Again]);
        Assert.That(ModelFixtures.MaxAbsDiff(both.narrow(0, 0, 1), first), Is.LessThanOrEqualTo(1e-6));

        // the sample is mean + std * N(0, 1): its standardised residual is a unit normal draw
        var z = first.sub(alone.Mean).div(alone.Std);
        using var g1Third = new Generator(1);
        var expected = torch.randn(alone.Mean.shape, g1Third);
        Assert.That(ModelFixtures.MaxAbsDiff(z, expected), Is.LessThanOrEqualTo(1e-3));
        Assert.Throws<ArgumentException>(() => posterior.Sample([g1]));
    }

    [Test]
    public void WrongInputShapesAreRejected()
    {
        using var mode = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => model.Decode(torch.zeros([1, 3, 8, 8])));
        Assert.Throws<ArgumentException>(() => model.Encode(torch.zeros([1, 4, 64, 64])));
    }
}
