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

    private static Tensor Run(IScheduler scheduler, int steps)
    {
        scheduler.SetTimesteps(steps);
        using var g = new Generator(5);
        using var noiseGen = new Generator(6);
        var x = torch.randn([1, 4, 8, 8], g).mul(scheduler.InitNoiseSigma);
        for (int i = 0; i < scheduler.StepCount; i++)
        {
            var modelOutput = SchedulerGolden.ModelFn(scheduler.ScaleModelInput(x, i), scheduler.Timesteps[i]);
            x = scheduler.Step(modelOutput, i, x, [noiseGen]).PrevSample;
        }
        return x;
    }
}
