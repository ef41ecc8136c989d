using GenArt.Diffusion.Schedulers.Internal;
using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al., arXiv:2211.01095), as diffusers' DPMSolverMultistepScheduler with
/// algorithm_type "dpmsolver++", solver_order 2 and the midpoint solver; with <c>use_karras_sigmas</c> it is
/// "DPM++ 2M Karras". The first step, and the last one under diffusers' lower_order_final rules, are first order.
/// </summary>
public sealed class DpmSolverMultistepScheduler : SchedulerBase
{
    private readonly string spacing;
    private readonly int stepsOffset;
    private readonly bool lowerOrderFinal;
    private readonly bool eulerAtFinal;
    private readonly double lambdaMinClipped;
    private readonly float[] trainSigmas;
    private float[] sigmas = [];
    private Tensor? previousX0;
    private int lowerOrderNums;

    public DpmSolverMultistepScheduler(SchedulerConfig config)
        : base(config.GetBool("use_karras_sigmas", false) ? "dpmpp-2m-karras" : "dpmpp-2m", config)
    {
        config.GetChoice("algorithm_type", "dpmsolver++", "dpmsolver++");
        int order = config.GetInt("solver_order", 2);
        if (order != 2) throw new SchedulerConfigException("solver_order", $"{order} is not supported; DPM++ 2M is order 2");
        // diffusers maps the UniPC solver names onto midpoint.
        config.GetChoice("solver_type", "midpoint", "midpoint", "logrho", "bh1", "bh2");
        if (config.Contains("variance_type"))
            throw new SchedulerConfigException("variance_type", "learned variance outputs are not supported; leave it null");
        foreach (var key in (ReadOnlySpan<string>)["use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas", "use_dynamic_shifting"])
            config.RefuseIfTrue(key, "this σ schedule is not implemented");
        UseKarrasSigmas = config.GetBool("use_karras_sigmas", false);
        spacing = config.GetChoice("timestep_spacing", "linspace", Spacing.Names);
        stepsOffset = config.GetInt("steps_offset", 0);
        lowerOrderFinal = config.GetBool("lower_order_final", true);
        eulerAtFinal = config.GetBool("euler_at_final", false);
        FinalSigmasType = config.GetChoice("final_sigmas_type", "zero", "zero", "sigma_min");
        lambdaMinClipped = config.GetDouble("lambda_min_clipped", double.NegativeInfinity);
        trainSigmas = SigmaTable.TrainSigmas(Schedule);
    }

    public bool UseKarrasSigmas { get; }

    public string FinalSigmasType { get; }

    public override IReadOnlyList<float>? Sigmas => sigmas;

    protected override long[]? ComputeTimesteps(int steps, out float[] timesteps)
    {
        int n = Schedule.TrainTimesteps;
        int last = n - ClippedCount();
        long[] ints;
        double[] s;
        if (UseKarrasSigmas)
        {
            double sigmaMin = Config.GetNullableDouble("sigma_min") ?? trainSigmas[0];
            double sigmaMax = Config.GetNullableDouble("sigma_max") ?? trainSigmas[^1];
            s = NumpyMath.KarrasSigmas(sigmaMin, sigmaMax, steps);
            float[] logSigmas = trainSigmas.Select(v => MathF.Log(v)).ToArray();
            double[] t = s.Select(sigma => NumpyMath.SigmaToT(sigma, logSigmas)).ToArray();
            // diffusers rounds except for the cosine schedule, where the int64 cast truncates.
            bool cosine = Config.GetString("beta_schedule", "linear") == "squaredcos_cap_v2";
            ints = t.Select(v => cosine ? (long)v : (long)NumpyMath.Round(v)).ToArray();
        }
        else
        {
            ints = spacing switch
            {
                "linspace" => ToLongs(NumpyMath.Linspace(0, last - 1, steps + 1).Select(NumpyMath.Round).Reverse().SkipLast(1)),
                "leading" => Enumerable.Range(0, steps + 1).Select(i => (long)i * (last / (steps + 1))).Reverse().SkipLast(1)
                    .Select(t => t + stepsOffset).ToArray(),
                _ => ToLongs(NumpyMath.Arange(last, 0, -(double)n / steps).Select(t => NumpyMath.Round(t) - 1)),
            };
            s = ints.Select(t => NumpyMath.InterpUnitGrid(t, trainSigmas)).ToArray();
        }
        sigmas = s.Select(v => (float)v).Append(SigmaTable.Final(FinalSigmasType, trainSigmas)).ToArray();
        timesteps = ints.Select(t => (float)t).ToArray();
        return ints;
    }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        bool last = stepIndex == StepCount - 1;
        bool firstOrderFinal = last && (eulerAtFinal || (lowerOrderFinal && StepCount < 15) || FinalSigmasType == "zero");

        var x0 = DataPrediction(modelOutput, sample, sigmas[stepIndex]);
        var x = sample.dtype == torch.float32 ? sample : sample.to(torch.float32);

        var (alphaT, sigmaT) = AlphaSigma(sigmas[stepIndex + 1]);
        var (alphaS0, sigmaS0) = AlphaSigma(sigmas[stepIndex]);
        float lambdaT = TorchScalar.Log(alphaT) - TorchScalar.Log(sigmaT);
        float lambdaS0 = TorchScalar.Log(alphaS0) - TorchScalar.Log(sigmaS0);
        float h = lambdaT - lambdaS0;
        float expm1 = alphaT * (TorchScalar.Exp(-h) - 1f);

        Tensor prev;
        if (lowerOrderNums < 1 || firstOrderFinal || previousX0 is null)
        {
            // First order: DPM-Solver++(1), i.e. DDIM in the data parameterisation.
            prev = x.mul(sigmaT / sigmaS0) - x0.mul(expm1);
        }
        else
        {
            var (alphaS1, sigmaS1) = AlphaSigma(sigmas[stepIndex - 1]);
            float lambdaS1 = TorchScalar.Log(alphaS1) - TorchScalar.Log(sigmaS1);
            float r0 = (lambdaS0 - lambdaS1) / h;
            var d1 = (x0 - previousX0).mul(1f / r0);
            prev = x.mul(sigmaT / sigmaS0) - x0.mul(expm1) - d1.mul(0.5f * expm1);
        }

        previousX0?.Dispose();
        previousX0 = Keep(x0);
        if (lowerOrderNums < 2) lowerOrderNums++;
        return (prev.dtype == modelOutput.dtype ? prev : prev.to(modelOutput.dtype), null);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, int stepIndex)
    {
        var (alpha, sigma) = AlphaSigma(sigmas[stepIndex]);
        return original.mul(alpha) + noise.mul(sigma);
    }

    protected override void ResetState()
    {
        previousX0?.Dispose();
        previousX0 = null;
        lowerOrderNums = 0;
    }

    // x0 = (x - σ_t·ε) / α_t for ε-prediction, α_t·x - σ_t·v for v-prediction.
    protected override void KeepRowsCore(Tensor rows)
    {
        if (previousX0 is not null) previousX0 = SelectRows(previousX0, rows);
    }

    private Tensor DataPrediction(Tensor modelOutput, Tensor sample, float sigma)
    {
        var (alphaT, sigmaT) = AlphaSigma(sigma);
        return IsVPrediction
            ? sample.mul(alphaT) - modelOutput.mul(sigmaT)
            : (sample - modelOutput.mul(sigmaT)).div(alphaT);
    }

    // σ (variance-exploding) to the variance-preserving pair: α_t = 1/sqrt(σ²+1), σ_t = σ·α_t.
    private static (float Alpha, float Sigma) AlphaSigma(float sigma)
    {
        float alpha = 1f / SigmaTable.InputDivisor(sigma);
        return (alpha, sigma * alpha);
    }

    // The number of train timesteps whose λ = log α - log σ lies below lambda_min_clipped (torch.searchsorted on
    // the ascending, flipped λ table); 0 unless a config clips it.
    private int ClippedCount()
    {
        if (double.IsNegativeInfinity(lambdaMinClipped)) return 0;
        var a = Schedule.AlphasCumprod;
        int count = 0;
        for (int i = a.Count - 1; i >= 0; i--)
        {
            float lambda = TorchScalar.Log(MathF.Sqrt(a[i])) - TorchScalar.Log(MathF.Sqrt(1f - a[i]));
            if (lambda < lambdaMinClipped) count++;
            else break;
        }
        return count;
    }
}
