using GenArt.Diffusion.Schedulers;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>img2img: where a run starts for a strength, and how the init latents are noised there.</summary>
[TestFixture]
public sealed class Img2ImgTests
{
    // diffusers' get_timesteps: init = min(int(steps·strength), steps), start = steps - init.
    [TestCase("ddim", 20, 0.75, 5, 15)]
    [TestCase("ddim", 20, 1.0, 0, 20)]
    [TestCase("ddim", 7, 0.3, 5, 2)]
    [TestCase("euler", 10, 0.55, 5, 5)]
    [TestCase("dpmpp-2m-karras", 20, 0.05, 19, 1)]
    [TestCase("pndm", 7, 0.5, 4, 4)] // PLMS runs 8 steps for 7; the start index counts in that schedule
    public void StrengthPicksTheStartStep(string name, int steps, double strength, int start, int toRun)
    {
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(steps);
        var begin = scheduler.BeginAtStrength(strength);
        Assert.That(begin.StartIndex, Is.EqualTo(start));
        Assert.That(begin.StepsToRun, Is.EqualTo(toRun));
        Assert.That(begin.NoiseTimestep, Is.EqualTo(scheduler.Timesteps[start]));
    }

    [Test]
    public void DdimStartTimestepForStrength075Is701()
    {
        // SD1 "leading" spacing at 20 steps: 1 + 50·(19 - i); strength 0.75 skips 5 steps, so i = 5.
        using var scheduler = SchedulerFactory.Create("ddim", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(20);
        Assert.That(scheduler.BeginAtStrength(0.75).NoiseTimestep, Is.EqualTo(701f));
    }

    [Test]
    public void LcmReschedulesOnAGridCutByStrength()
    {
        // ⌊50·0.5⌋ = 25 grid entries 499, 479, ..., 19; 4 steps at floor(0, 6.25, 12.5, 18.75) = 0, 6, 12, 18.
        using var lcm = SchedulerFactory.Create("lcm", SchedulerGolden.Sd1Config());
        lcm.SetTimesteps(4);
        var begin = lcm.BeginAtStrength(0.5);
        Assert.That(begin, Is.EqualTo(new Img2ImgStart(0, 4, 499f)));
        Assert.That(lcm.IntegerTimesteps, Is.EqualTo(new long[] { 499, 379, 259, 139 }));
    }

    [Test]
    public void LcmRefusesAStrengthThatLeavesFewerGridPointsThanSteps()
    {
        using var lcm = SchedulerFactory.Create("lcm", SchedulerGolden.Sd1Config());
        lcm.SetTimesteps(8);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => lcm.BeginAtStrength(0.1)); // 5 grid points
        Assert.That(e!.Message, Does.Contain("leaves 5 of the 50 distillation timesteps"));
    }

    [TestCase(0.0)]
    [TestCase(0.04)] // int(20 · 0.04) = 0 steps
    public void StrengthThatLeavesNoStepIsRefused(double strength)
    {
        using var scheduler = SchedulerFactory.Create("ddim", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(20);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.BeginAtStrength(strength));
        Assert.That(e!.Message, Does.Contain("leaves no step to run"));
    }

    [TestCase(-0.1)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void StrengthOutsideUnitIntervalIsRefused(double strength)
    {
        using var scheduler = SchedulerFactory.Create("euler", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.BeginAtStrength(strength));
    }

    [Test]
    public void AfterBeginAtStrengthTheRunStartsThere()
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("ddim", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(20);
        var begin = scheduler.BeginAtStrength(0.75);
        var x = torch.zeros([1, 4, 8, 8]);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, 0, x));
        Assert.That(e!.Message, Does.Contain($"step {begin.StartIndex} is next"));
        Assert.DoesNotThrow(() => scheduler.Step(x, begin.StartIndex, x));
    }

    // DDIM and Euler keep no history, so a run begun mid-schedule from the golden sample at that step must
    // continue the golden trajectory exactly.
    [TestCase("ddim_20", 0.75)]
    [TestCase("euler_20", 0.4)]
    public void ARunBegunMidScheduleContinuesTheGoldenTrajectory(string caseName, double strength)
    {
        using var golden = SchedulerGolden.Open(caseName);
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);
        using var scope = torch.NewDisposeScope();
        var samples = golden.Load("samples");
        var begin = scheduler.BeginAtStrength(strength);
        var x = samples.select(0, begin.StartIndex);
        for (int i = begin.StartIndex; i < scheduler.StepCount; i++)
        {
            var modelOutput = SchedulerGolden.ModelFn(scheduler.ScaleModelInput(x, i), scheduler.Timesteps[i]);
            x = scheduler.Step(modelOutput, i, x).PrevSample;
            Close.Check(x, samples.select(0, i + 1), 1e-5, $"samples[{i + 1}]");
        }
    }

    [Test]
    public void DdpmAddNoiseIsSqrtAlphaBarMix()
    {
        using var golden = SchedulerGolden.Open("ddim_20");
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);
        int start = scheduler.BeginAtStrength(0.6).StartIndex;
        long t = scheduler.IntegerTimesteps![start];
        double alphaBar = golden.Floats("alphas_cumprod")[t];
        ExpectMix(scheduler, start, Math.Sqrt(alphaBar), Math.Sqrt(1 - alphaBar));
    }

    [Test]
    public void EulerAddNoiseAddsSigmaTimesNoise()
    {
        using var golden = SchedulerGolden.Open("euler_20");
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);
        int start = scheduler.BeginAtStrength(0.6).StartIndex;
        ExpectMix(scheduler, start, 1.0, golden.Floats("sigmas")[start]);
    }

    [Test]
    public void DpmAddNoiseUsesTheVariancePreservingPair()
    {
        using var golden = SchedulerGolden.Open("dpmpp_2m_karras_20");
        using var scheduler = golden.CreateScheduler();
        scheduler.SetTimesteps(golden.Steps);
        int start = scheduler.BeginAtStrength(0.6).StartIndex;
        double sigma = golden.Floats("sigmas")[start];
        double alpha = 1 / Math.Sqrt(sigma * sigma + 1);
        ExpectMix(scheduler, start, alpha, sigma * alpha);
    }

    [Test]
    public void AddNoiseRefusesMismatchedShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("ddim", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(10);
        Assert.Throws<ArgumentException>(() => scheduler.AddNoise(torch.zeros([1, 4, 8, 8]), torch.zeros([2, 4, 8, 8]), 0));
    }

    // AddNoise(x, n, i) must equal a·x + b·n, element by element, with a and b computed by hand in double; the
    // bound is relative to the terms' size, since float32 rounding follows the terms, not their (cancelling) sum.
    private static void ExpectMix(IScheduler scheduler, int stepIndex, double a, double b)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(42);
        var original = torch.randn([2, 4, 8, 8], g);
        var noise = torch.randn([2, 4, 8, 8], g);
        float[] x = original.data<float>(), n = noise.data<float>();
        float[] got = scheduler.AddNoise(original, noise, stepIndex).data<float>();
        Assert.That(got, Has.Length.EqualTo(x.Length));
        for (int k = 0; k < x.Length; k++)
        {
            double expected = a * x[k] + b * n[k];
            double bound = 1e-6 * (Math.Abs(a * x[k]) + Math.Abs(b * n[k]));
            Assert.That(got[k], Is.EqualTo(expected).Within(bound), $"element {k}");
        }
    }
}
