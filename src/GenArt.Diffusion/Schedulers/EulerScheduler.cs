using GenArt.Diffusion.Schedulers.Internal;
using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// Euler's method on the probability-flow ODE in σ (Karras et al., arXiv:2206.00364, Algorithm 2 without
/// churn), as diffusers' EulerDiscreteScheduler with its defaults (s_churn = 0, discrete timesteps).
/// </summary>
public class EulerScheduler : SchedulerBase
{
    private readonly string spacing;
    private readonly int stepsOffset;
    private readonly float[] trainSigmas;
    private float[] sigmas = [];

    public EulerScheduler(SchedulerConfig config) : this("euler", config, ancestral: false) { }

    private protected EulerScheduler(string name, SchedulerConfig config, bool ancestral) : base(name, config)
    {
        spacing = config.GetChoice("timestep_spacing", "linspace", Spacing.Names);
        stepsOffset = config.GetInt("steps_offset", 0);
        trainSigmas = SigmaTable.TrainSigmas(Schedule);
        FinalSigmasType = "zero";
        if (ancestral) return;
        // Keys only EulerDiscreteScheduler reads; the ancestral variant has none of them.
        config.GetChoice("interpolation_type", "linear", "linear");
        config.GetChoice("timestep_type", "discrete", "discrete");
        config.RefuseIfTrue("use_karras_sigmas", "Karras sigmas are offered for DPM++ 2M only (\"dpmpp-2m-karras\")");
        config.RefuseIfTrue("use_exponential_sigmas", "exponential sigmas are not implemented");
        config.RefuseIfTrue("use_beta_sigmas", "beta sigmas are not implemented");
        FinalSigmasType = config.GetChoice("final_sigmas_type", "zero", "zero", "sigma_min");
    }

    /// <summary>"zero" or "sigma_min": the σ the last step lands on.</summary>
    public string FinalSigmasType { get; }

    public override IReadOnlyList<float>? Sigmas => sigmas;

    /// <summary>σ_max for "linspace" and "trailing" spacing, sqrt(σ_max² + 1) for "leading" (float32).</summary>
    public override double InitNoiseSigma
    {
        get
        {
            float max = sigmas.Length > 0 ? sigmas.Max() : trainSigmas.Max();
            return spacing == "leading" ? SigmaTable.InputDivisor(max) : max;
        }
    }

    public override Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        CheckIndex(stepIndex);
        return sample.div(SigmaTable.InputDivisor(sigmas[stepIndex]));
    }

    protected float SigmaAt(int index) => sigmas[index];

    protected override long[]? ComputeTimesteps(int steps, out float[] timesteps)
    {
        timesteps = Spacing.Descending(spacing, Schedule.TrainTimesteps, steps, stepsOffset).Select(t => (float)t).ToArray();
        var s = SigmaTable.Interpolate(trainSigmas, timesteps.Select(t => (double)t)).ToList();
        s.Add(SigmaTable.Final(FinalSigmasType, trainSigmas));
        sigmas = s.ToArray();
        return null;
    }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        var x = sample.dtype == torch.float32 ? sample : sample.to(torch.float32);
        float sigma = sigmas[stepIndex];
        var predOriginal = PredictOriginal(modelOutput, x, sigma);
        var derivative = (x - predOriginal).div(sigma);
        float dt = sigmas[stepIndex + 1] - sigma;
        var prev = x + derivative.mul(dt);
        return (prev.dtype == modelOutput.dtype ? prev : prev.to(modelOutput.dtype), predOriginal);
    }

    /// <summary>x0 from the model output at σ: x - σ·ε, or for v-prediction v·(-σ/sqrt(σ²+1)) + x/(σ²+1).</summary>
    protected Tensor PredictOriginal(Tensor modelOutput, Tensor x, float sigma)
    {
        if (!IsVPrediction) return x - modelOutput.mul(sigma);
        float s2 = sigma * sigma + 1f;
        return modelOutput.mul(-sigma / MathF.Sqrt(s2)) + x.div(s2);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, int stepIndex) =>
        original + noise.mul(sigmas[stepIndex]);
}
