using GenArt.Diffusion.Schedulers;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>
/// A request's image depends on its own seeds only: a batch of three requests gives each row exactly what that
/// request gets alone, for every scheduler, including those that draw noise inside Step.
/// </summary>
[TestFixture]
public sealed class BatchDeterminismTests
{
    private static readonly ulong[] LatentSeeds = [101, 202, 303];
    private static readonly ulong[] StepSeeds = [7001, 7002, 7003];

    public static IEnumerable<string> Names() => SchedulerFactory.Names;

    [TestCaseSource(nameof(Names))]
    public void EachRowOfABatchEqualsItsRunAlone(string name)
    {
        using var scope = torch.NewDisposeScope();
        var alone = LatentSeeds.Select((_, b) => Run(name, [b])).ToArray();
        var batch = Run(name, [0, 1, 2]);

        Assert.That(batch.shape, Is.EqualTo(new long[] { 3, 4, 8, 8 }));
        for (int b = 0; b < 3; b++)
            Assert.That(batch.select(0, b).unsqueeze(0).equal(alone[b]), Is.True, $"{name}: row {b} of the batch differs from its run alone");
        Assert.That(alone[0].equal(alone[1]), Is.False, "different seeds must give different results");
    }

    [TestCaseSource(nameof(Names))]
    public void ReorderingTheBatchReordersTheRows(string name)
    {
        using var scope = torch.NewDisposeScope();
        var forward = Run(name, [0, 1, 2]);
        var reversed = Run(name, [2, 1, 0]);
        for (int b = 0; b < 3; b++)
            Assert.That(reversed.select(0, b).equal(forward.select(0, 2 - b)), Is.True, $"{name}: row {b}");
    }

    [TestCase("euler-a")]
    [TestCase("lcm")]
    public void NoiseDrawingSchedulersNeedOneGeneratorPerRow(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config());
        scheduler.SetTimesteps(4);
        var x = torch.zeros([2, 4, 8, 8]);
        var missing = Assert.Throws<ArgumentNullException>(() => scheduler.Step(x, 0, x));
        Assert.That(missing!.Message, Does.Contain("one generator per batch row"));
        using var g = new Generator(1);
        var tooFew = Assert.Throws<ArgumentException>(() => scheduler.Step(x, 0, x, [g]));
        Assert.That(tooFew!.Message, Does.Contain("2 rows, 1 generators"));
    }

    [Test]
    public void DdimWithEtaDrawsRowNoiseToo()
    {
        using var scope = torch.NewDisposeScope();
        var config = SchedulerGolden.Sd1Config();
        Tensor RunDdim(int[] rows)
        {
            using var s = new DdimScheduler(config, eta: 1.0);
            return Loop(s, rows);
        }
        var batch = RunDdim([0, 1, 2]);
        for (int b = 0; b < 3; b++)
            Assert.That(batch.select(0, b).unsqueeze(0).equal(RunDdim([b])), Is.True, $"row {b}");
        using var deterministic = new DdimScheduler(config);
        Assert.That(Loop(deterministic, [0]).equal(RunDdim([0])), Is.False, "eta = 1 must add noise");
    }

    private static Tensor Run(string name, int[] rows)
    {
        using var scheduler = SchedulerFactory.Create(name, SchedulerGolden.Sd1Config());
        return Loop(scheduler, rows);
    }

    // The golden loop over a batch whose row r is request rows[r] (its own latent seed and step seed).
    private static Tensor Loop(IScheduler scheduler, int[] rows)
    {
        scheduler.SetTimesteps(6);
        var generators = rows.Select(r => new Generator(StepSeeds[r])).ToArray();
        try
        {
            var latents = rows.Select(r =>
            {
                using var g = new Generator(LatentSeeds[r]);
                return torch.randn([1, 4, 8, 8], g);
            }).ToArray();
            var x = torch.cat(latents, 0).mul(scheduler.InitNoiseSigma);
            for (int i = 0; i < scheduler.StepCount; i++)
            {
                var modelOutput = SchedulerGolden.ModelFn(scheduler.ScaleModelInput(x, i), scheduler.Timesteps[i]);
                x = scheduler.Step(modelOutput, i, x, generators).PrevSample;
            }
            return x;
        }
        finally
        {
            foreach (var g in generators) g.Dispose();
        }
    }
}
