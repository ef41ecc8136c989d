using GenArt.Diffusion.Schedulers;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>Config keys that are refused or malformed fail with an error naming the key.</summary>
[TestFixture]
public sealed class SchedulerConfigTests
{
    public static IEnumerable<TestCaseData> Refusals()
    {
        TestCaseData Case(string scheduler, string key, object? value, string message) =>
            new TestCaseData(scheduler, key, value, message).SetName($"{scheduler}: {key} = {value ?? "null"}");
        yield return Case("ddim", "thresholding", true, "dynamic thresholding");
        yield return Case("dpmpp-2m", "thresholding", true, "dynamic thresholding");
        yield return Case("ddim", "prediction_type", "sample", "\"sample\" is not supported");
        yield return Case("euler", "prediction_type", "flow_prediction", "supported: \"epsilon\", \"v_prediction\"");
        yield return Case("ddim", "beta_schedule", "cosine", "\"cosine\" is not supported");
        yield return Case("ddim", "timestep_spacing", "uniform", "\"uniform\" is not supported");
        yield return Case("euler-a", "timestep_spacing", "uniform", "\"uniform\" is not supported");
        yield return Case("ddim", "rescale_betas_zero_snr", true, "zero-terminal-SNR");
        yield return Case("ddim", "beta_start", 1.5, "must lie in (0, 1)");
        yield return Case("ddim", "beta_start", "0.001", "must be a number");
        yield return Case("ddim", "num_train_timesteps", 1.5, "must be an integer");
        yield return Case("ddim", "clip_sample", "yes", "must be true or false");
        yield return Case("ddim", "trained_betas", new[] { 0.1, 1.2 }, "every beta must lie in (0, 1)");
        yield return Case("pndm", "skip_prk_steps", false, "only PLMS is implemented");
        yield return Case("euler", "use_karras_sigmas", true, "DPM++ 2M only");
        yield return Case("euler", "interpolation_type", "log_linear", "\"log_linear\" is not supported");
        yield return Case("euler", "final_sigmas_type", "max", "\"max\" is not supported");
        yield return Case("euler", "timestep_type", "continuous", "\"continuous\" is not supported");
        yield return Case("dpmpp-2m", "final_sigmas_type", "max", "\"max\" is not supported");
        yield return Case("dpmpp-2m", "solver_type", "heun", "\"heun\" is not supported");
        yield return Case("dpmpp-2m", "variance_type", "learned_range", "learned variance");
        yield return Case("dpmpp-2m", "use_lu_lambdas", true, "not implemented");
        yield return Case("lcm", "original_inference_steps", 0, "must lie in [1");
    }

    [TestCaseSource(nameof(Refusals))]
    public void RefusedValueNamesItsKey(string scheduler, string key, object? value, string message)
    {
        var config = SchedulerGolden.Sd1Config().With(key, value);
        var e = Assert.Throws<SchedulerConfigException>(() => SchedulerFactory.Create(scheduler, config).Dispose());
        Assert.That(e!.Key, Is.EqualTo(key));
        Assert.That(e.Message, Does.Contain($"'{key}'").And.Contain(message));
    }

    [Test]
    public void DpmConstructedDirectlyRefusesOtherAlgorithmsAndOrders()
    {
        var sd1 = SchedulerGolden.Sd1Config();
        var algorithm = Assert.Throws<SchedulerConfigException>(() => new DpmSolverMultistepScheduler(sd1.With("algorithm_type", "sde-dpmsolver++")));
        Assert.That(algorithm!.Key, Is.EqualTo("algorithm_type"));
        var order = Assert.Throws<SchedulerConfigException>(() => new DpmSolverMultistepScheduler(sd1.With("solver_order", 3)));
        Assert.That(order!.Message, Does.Contain("DPM++ 2M is order 2"));
    }

    [Test]
    public void DpmNamesOverrideTheModelsSolverSettings()
    {
        // A config saved for 3rd-order DPM-Solver still gives DPM++ 2M under the "dpmpp-2m" names.
        var config = SchedulerGolden.Sd1Config().With(new Dictionary<string, object?> { ["solver_order"] = 3, ["algorithm_type"] = "dpmsolver" });
        using var karras = (DpmSolverMultistepScheduler)SchedulerFactory.Create("dpmpp-2m-karras", config);
        Assert.That(karras.UseKarrasSigmas, Is.True);
        using var plain = (DpmSolverMultistepScheduler)SchedulerFactory.Create("dpmpp-2m", config.With("use_karras_sigmas", true));
        Assert.That(plain.UseKarrasSigmas, Is.False);
    }

    [Test]
    public void PythonNonFiniteLiteralsParseOutsideStringsOnly()
    {
        var config = SchedulerConfig.Parse("""{"lambda_min_clipped": -Infinity, "a": NaN, "b": Infinity, "note": "NaN -Infinity"}""");
        Assert.That(config.GetDouble("lambda_min_clipped", 0), Is.EqualTo(double.NegativeInfinity));
        Assert.That(config.GetDouble("a", 0), Is.NaN);
        Assert.That(config.GetDouble("b", 0), Is.EqualTo(double.PositiveInfinity));
        Assert.That(config.GetString("note", ""), Is.EqualTo("NaN -Infinity"));
    }

    [Test]
    public void MalformedJsonIsReported()
    {
        var e = Assert.Throws<SchedulerConfigException>(() => SchedulerConfig.Parse("{\"beta_start\": }"));
        Assert.That(e!.Message, Does.Contain("not valid JSON"));
        Assert.Throws<SchedulerConfigException>(() => SchedulerConfig.Parse("[1, 2]"));
    }

    [Test]
    public void AbsentKeysTakeTheSchedulersOwnDefaults()
    {
        // Empty config: DDIM's defaults are the "linear" betas 1e-4..0.02 and "leading" spacing without offset.
        using var ddim = SchedulerFactory.Create("ddim");
        ddim.SetTimesteps(4);
        Assert.That(ddim.IntegerTimesteps, Is.EqualTo(new long[] { 750, 500, 250, 0 }));
        Assert.That(ddim.Schedule.Betas[0], Is.EqualTo(1e-4f));
        Assert.That(ddim.Schedule.Betas[^1], Is.EqualTo(0.02f));
        // The SD1 file names PNDM; Euler built from it still uses Euler's own default spacing ("linspace").
        using var euler = SchedulerFactory.Create("euler", SchedulerGolden.Sd1Config());
        euler.SetTimesteps(3);
        Assert.That(euler.Timesteps, Is.EqualTo(new[] { 999f, 499.5f, 0f }));
    }

    [Test]
    public void SquaredCosineBetasFollowTheGlideFormula()
    {
        using var ddim = SchedulerFactory.Create("ddim", SchedulerConfig.Empty.With("beta_schedule", "squaredcos_cap_v2"));
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = ddim.Schedule.Betas;
        Assert.That(betas, Has.Count.EqualTo(1000));
        Assert.That(betas[0], Is.EqualTo((float)(1 - AlphaBar(0.001) / AlphaBar(0))));
        Assert.That(betas[500], Is.EqualTo((float)(1 - AlphaBar(0.501) / AlphaBar(0.5))));
        Assert.That(betas[^1], Is.EqualTo(0.999f), "the last beta is capped at 0.999");
    }

    [Test]
    public void TrainedBetasAreUsedAsGiven()
    {
        var betas = Enumerable.Range(1, 10).Select(i => i * 0.01).ToArray();
        using var ddim = SchedulerFactory.Create("ddim", SchedulerConfig.Empty.With("trained_betas", betas));
        Assert.That(ddim.Schedule.Betas, Is.EqualTo(betas.Select(b => (float)b).ToArray()));
        Assert.That(ddim.Schedule.AlphasCumprod[1], Is.EqualTo((float)(0.99 * 0.98)).Within(1e-7));
    }
}
