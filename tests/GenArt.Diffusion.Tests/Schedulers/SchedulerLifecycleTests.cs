using GenArt.Diffusion.Schedulers;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>Per-run state: steps in order, SetTimesteps starting over, and misuse reported clearly.</summary>
[TestFixture]
public sealed class SchedulerLifecycleTests
{
    public static IEnumerable<string> Names() => SchedulerFactory.Names;

    // PLMS and DPM++ 2M keep model outputs between steps; a second run on the same instance must not see them.
    [TestCaseSource(nameof(Names))]
    public void SetTimestepsStartsAFreshRun(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config());
        var first = Run(scheduler, steps: 5);
        Run(scheduler, steps: 9);
        var again = Run(scheduler, steps: 5);
        Assert.That(again.equal(first), Is.True);
    }

    [Test]
    public void StepsMustRunInOrder()
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("dpmpp-2m", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(5);
        var x = torch.zeros([1, 4, 8, 8]);
        scheduler.Step(x, 0, x);
        var skipped = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, 2, x));
        Assert.That(skipped!.Message, Does.Contain("step 2 was called but step 1 is next"));
        var repeated = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, 0, x));
        Assert.That(repeated!.Message, Does.Contain("step 1 is next"));
        Assert.Throws<InvalidOperationException>(() => scheduler.BeginAtStrength(0.5), "strength is chosen before the run starts");
    }

    [Test]
    public void UseBeforeSetTimestepsIsReported()
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("euler");
        var x = torch.zeros([1, 4, 8, 8]);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, 0, x));
        Assert.That(e!.Message, Does.Contain("call SetTimesteps"));
        Assert.Throws<InvalidOperationException>(() => scheduler.ScaleModelInput(x, 0));
        Assert.Throws<InvalidOperationException>(() => scheduler.BeginAtStrength(0.5));
    }

    [TestCase(0)]
    [TestCase(1001)]
    public void StepCountOutOfRangeIsRefused(int steps)
    {
        using var scheduler = SchedulerFactory.Create("ddim", SchedulerGolden.Sd1Config());
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(steps));
    }

    [Test]
    public void StepIndexOutOfRangeAndShapeMismatchAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("euler", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(4);
        var x = torch.zeros([1, 4, 8, 8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.ScaleModelInput(x, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, -1, x));
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(torch.zeros([2, 4, 8, 8]), 0, x));
        Assert.That(e!.Message, Does.Contain("differs from sample shape"));
    }

    [Test]
    public void StepLeavesNoTemporariesInTheCallersScope()
    {
        using var outer = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create("dpmpp-2m", SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(4);
        var x = torch.zeros([1, 4, 8, 8]);
        using var stepScope = torch.NewDisposeScope();
        int before = stepScope.Count;
        var result = scheduler.Step(x, 0, x);
        Assert.That(stepScope.Count - before, Is.EqualTo(1), "only the returned sample lands in the caller's scope");
        Assert.That(result.PrevSample.IsDisposed, Is.False);
    }

    // Half-precision UNets hand back float16; the result keeps that dtype (Euler and DPM++ step in float32 inside,
    // as diffusers), and must track the float32 run to half precision.
    [TestCaseSource(nameof(Names))]
    public void HalfPrecisionSamplesStayHalf(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config());
        var half = Run(scheduler, steps: 6, torch.float16);
        var full = Run(scheduler, steps: 6, torch.float32);
        Assert.That(half.dtype, Is.EqualTo(torch.float16));
        var diff = (half.to(torch.float32) - full).abs().max().item<float>();
        var scale = full.abs().max().item<float>();
        // Measured ≤ 2e-3 for all seven; libtorch draws float16 noise as float32 rounded, so the ancestral ones agree too.
        Assert.That(diff / scale, Is.LessThan(1e-2));
    }

    private static Tensor Run(IScheduler scheduler, int steps, ScalarType dtype = ScalarType.Float32)
    {
        scheduler.SetTimesteps(steps);
        using var g = new Generator(5);
        using var noiseGen = new Generator(6);
        var x = torch.randn([1, 4, 8, 8], g).mul(scheduler.InitNoiseSigma).to(dtype);
        for (int i = 0; i < scheduler.StepCount; i++)
        {
            var modelOutput = SchedulerGolden.ModelFn(scheduler.ScaleModelInput(x, i), scheduler.Timesteps[i]);
            x = scheduler.Step(modelOutput, i, x, [noiseGen]).PrevSample;
        }
        return x;
    }
}
