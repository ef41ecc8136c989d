using GenArt.Diffusion.Schedulers;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>
/// timestep_spacing for the settings the goldens do not cover, worked out by hand from diffusers' formulas with
/// numpy's round-half-to-even (all at 7 steps, 1000 train steps).
/// </summary>
[TestFixture]
public sealed class TimestepSpacingTests
{
    // linspace(0, 999, 7) = 0, 166.5, 333, 499.5, 666, 832.5, 999; halves round to even.
    [TestCase("ddim", "linspace", new long[] { 999, 832, 666, 500, 333, 166, 0 })]
    // round(arange(1000, 0, -1000/7)) - 1: 857.14 → 856, 714.29 → 713, 571.43 → 570, 428.57 → 428, ...
    [TestCase("ddim", "trailing", new long[] { 999, 856, 713, 570, 428, 285, 142 })]
    // PLMS repeats the second timestep of the descending schedule.
    [TestCase("pndm", "trailing", new long[] { 999, 856, 856, 713, 570, 428, 285, 142 })]
    [TestCase("pndm", "linspace", new long[] { 999, 832, 832, 666, 500, 333, 166, 0 })]
    // DPM-Solver spaces 8 points and drops the last: leading 1000 // 8 = 125 apart, plus steps_offset 1.
    [TestCase("dpmpp-2m", "leading", new long[] { 876, 751, 626, 501, 376, 251, 126 })]
    [TestCase("dpmpp-2m", "trailing", new long[] { 999, 856, 713, 570, 428, 285, 142 })]
    // LCM ignores timestep_spacing: 50-step grid 999, 979, ..., 19 at positions floor(i·50/7) = 0, 7, 14, ...
    [TestCase("lcm", "trailing", new long[] { 999, 859, 719, 579, 439, 299, 159 })]
    public void IntegerSchedules(string name, string spacing, long[] expected)
    {
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config().With("timestep_spacing", spacing));
        scheduler.SetTimesteps(7);
        Assert.That(scheduler.IntegerTimesteps, Is.EqualTo(expected));
        Assert.That(scheduler.Timesteps, Is.EqualTo(expected.Select(t => (float)t).ToArray()));
    }

    [TestCase("euler", "leading", new[] { 853f, 711f, 569f, 427f, 285f, 143f, 1f })]
    [TestCase("euler-a", "trailing", new[] { 999f, 856f, 713f, 570f, 428f, 285f, 142f })]
    public void EulerSchedules(string name, string spacing, float[] expected)
    {
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config().With("timestep_spacing", spacing));
        scheduler.SetTimesteps(7);
        Assert.That(scheduler.Timesteps, Is.EqualTo(expected));
        Assert.That(scheduler.IntegerTimesteps, Is.Null);
    }

    [Test]
    public void EulerLeadingScalesInitialNoiseBySqrtOfSigmaMaxSquaredPlusOne()
    {
        using var leading = SchedulerFactory.Create("euler", SchedulerGolden.Sd1Config().With("timestep_spacing", "leading"));
        leading.SetTimesteps(7);
        double sigmaMax = leading.Sigmas!.Max();
        Assert.That(leading.InitNoiseSigma, Is.EqualTo(Math.Sqrt(sigmaMax * sigmaMax + 1)).Within(1e-5));
    }

    [Test]
    public void EulerSigmaMinFinalSigma()
    {
        using var euler = SchedulerFactory.Create("euler", SchedulerGolden.Sd1Config().With("final_sigmas_type", "sigma_min"));
        euler.SetTimesteps(5);
        float alphaBar0 = euler.Schedule.AlphasCumprod[0];
        Assert.That(euler.Sigmas![^1], Is.EqualTo(MathF.Sqrt((1 - alphaBar0) / alphaBar0)));
    }

    [Test]
    public void LcmRefusesMoreStepsThanItsDistillationGrid()
    {
        using var lcm = SchedulerFactory.Create("lcm", SchedulerGolden.Sd1Config().With("original_inference_steps", 8));
        lcm.SetTimesteps(4);
        var before = lcm.IntegerTimesteps!.ToArray();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => lcm.SetTimesteps(9));
        Assert.That(e!.Message, Does.Contain("original_inference_steps (8)"));
        Assert.That(lcm.IntegerTimesteps, Is.EqualTo(before), "a refused step count leaves the schedule as it was");
        Assert.That(lcm.NumInferenceSteps, Is.EqualTo(4));
    }
}
