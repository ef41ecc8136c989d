using GenArt.Diffusion.Schedulers;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>
/// Every case of golden/schedulers (README case 5): the scheduler is built from the case's full diffusers config
/// and run through the README's loop with model_output = 0.1·x_in + 0.01·(t/1000).
/// </summary>
[TestFixture]
public sealed class SchedulerGoldenTests
{
    private const double TableRtol = 1e-6;
    private const double TrajectoryRtol = 1e-5;

    public static IEnumerable<string> Cases() => SchedulerGolden.CaseNames();

    [Test]
    public void IndexListsSixteenCases() => Assert.That(Cases().Count(), Is.EqualTo(16));

    [TestCaseSource(nameof(Cases))]
    public void TimestepsAndTablesMatch(string name)
    {
        using var golden = SchedulerGolden.Open(name);
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);

        if (golden.IntegerTimesteps)
            Assert.That(scheduler.IntegerTimesteps, Is.EqualTo(golden.Longs("timesteps")), "timesteps (int64)");
        else
        {
            Assert.That(scheduler.IntegerTimesteps, Is.Null, "a fractional schedule has no int64 timesteps");
            Assert.That(scheduler.Timesteps, Is.EqualTo(golden.Floats("timesteps")), "timesteps (float32)");
        }

        double tables = Close.Check(scheduler.Schedule.Betas.ToArray(), golden.Floats("betas"), TableRtol, "betas");
        tables = Math.Max(tables, Close.Check(scheduler.Schedule.AlphasCumprod.ToArray(), golden.Floats("alphas_cumprod"), TableRtol, "alphas_cumprod"));
        if (golden.Has("sigmas"))
            tables = Math.Max(tables, Close.Check(scheduler.Sigmas!.ToArray(), golden.Floats("sigmas"), TableRtol, "sigmas"));
        else
            Assert.That(scheduler.Sigmas, Is.Null, "a scheduler without sigmas in diffusers exposes none");

        float[] initSigma = golden.Has("init_noise_sigma") ? golden.Floats("init_noise_sigma") : [(float)golden.InitNoiseSigma];
        Close.Check([(float)scheduler.InitNoiseSigma], initSigma, TableRtol, "init_noise_sigma");

        var factors = new float[scheduler.StepCount];
        using (var scope = torch.NewDisposeScope())
        {
            var one = torch.ones([1]);
            for (int i = 0; i < factors.Length; i++) factors[i] = scheduler.ScaleModelInput(one, i).item<float>();
        }
        tables = Math.Max(tables, Close.Check(factors, golden.Floats("scale_model_input_factors"), TableRtol, "scale_model_input factors"));
        TestContext.Out.WriteLine($"{name}: max relative error of the tables {tables:E2}");
    }

    [TestCaseSource(nameof(Cases))]
    public void TrajectoryMatches(string name)
    {
        using var golden = SchedulerGolden.Open(name);
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);
        using var generator = golden.GeneratorSeed is { } seed ? new Generator(seed) : null;
        Generator[]? generators = generator is null ? null : [generator];

        using var scope = torch.NewDisposeScope();
        var samples = golden.Load("samples");
        var inputs = golden.Load("model_inputs");
        var outputs = golden.Load("model_outputs");
        var preds = golden.Has("pred_original_samples") ? golden.Load("pred_original_samples") : null;
        Assert.That(samples.shape[0], Is.EqualTo(scheduler.StepCount + 1), "one sample per step plus the start");

        using var initGen = new Generator(SchedulerGolden.InitNoiseSeed);
        var initNoise = torch.randn([1, 4, 8, 8], initGen);
        Assert.That(initNoise.equal(golden.Load("init_noise")), Is.True, "our Generator(16) must draw diffusers' init_noise");
        var x = initNoise.mul(scheduler.InitNoiseSigma);
        double worst = Close.Check(x, samples.select(0, 0), TrajectoryRtol, "samples[0] = randn(seed 16) · init_noise_sigma");

        for (int i = 0; i < scheduler.StepCount; i++)
        {
            var xIn = scheduler.ScaleModelInput(x, i);
            var modelOutput = SchedulerGolden.ModelFn(xIn, scheduler.Timesteps[i]);
            worst = Math.Max(worst, Close.Check(xIn, inputs.select(0, i), TrajectoryRtol, $"model_inputs[{i}]"));
            worst = Math.Max(worst, Close.Check(modelOutput, outputs.select(0, i), TrajectoryRtol, $"model_outputs[{i}]"));

            var step = scheduler.Step(modelOutput, i, x, generators);
            if (preds is not null)
            {
                Assert.That(step.PredOriginalSample, Is.Not.Null, "diffusers returns a pred_original_sample here");
                worst = Math.Max(worst, Close.Check(step.PredOriginalSample!, preds.select(0, i), TrajectoryRtol, $"pred_original_samples[{i}]"));
            }
            worst = Math.Max(worst, Close.Check(step.PrevSample, samples.select(0, i + 1), TrajectoryRtol, $"samples[{i + 1}]"));
            x = step.PrevSample;
        }
        Close.Check(x, golden.Load("final_sample"), TrajectoryRtol, "final_sample");
        TestContext.Out.WriteLine($"{name}: max relative error over the trajectory {worst:E2}");
    }

    [TestCaseSource(nameof(Cases))]
    public void StepNoiseIsTheGeneratorsDraws(string name)
    {
        using var golden = SchedulerGolden.Open(name);
        if (golden.NoiseDraws == 0)
        {
            Assert.That(golden.Has("injected_noise"), Is.False, $"{name} draws no noise");
            Assert.That(golden.GeneratorSeed, Is.Null);
            return;
        }
        using var scope = torch.NewDisposeScope();
        var injected = golden.Load("injected_noise");
        Assert.That(injected.shape[0], Is.EqualTo(golden.NoiseDraws));
        using var generator = new Generator(golden.GeneratorSeed!.Value);
        for (int k = 0; k < golden.NoiseDraws; k++)
        {
            var draw = torch.randn([1, 4, 8, 8], generator);
            Assert.That(draw.equal(injected.select(0, k)), Is.True, $"draw {k} of seed {golden.GeneratorSeed} differs from diffusers' randn_tensor");
        }
    }
}
