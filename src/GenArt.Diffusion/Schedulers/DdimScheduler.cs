using GenArt.Diffusion.Schedulers.Internal;
using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// DDIM (Song et al., arXiv:2010.02502), as diffusers' DDIMScheduler: deterministic with <see cref="Eta"/> = 0,
/// ancestral noise scaled by eta·σ_t otherwise.
/// </summary>
public sealed class DdimScheduler : SchedulerBase
{
    private readonly string spacing;
    private readonly int stepsOffset;
    private readonly bool clipSample;
    private readonly float clipRange;
    private readonly float finalAlphaCumprod;

    public DdimScheduler(SchedulerConfig config, double eta = 0.0) : base("ddim", config)
    {
        if (!(eta >= 0)) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be >= 0");
        Eta = eta;
        spacing = config.GetChoice("timestep_spacing", "leading", Spacing.Names);
        stepsOffset = config.GetInt("steps_offset", 0);
        clipSample = config.GetBool("clip_sample", true);
        clipRange = (float)config.GetDouble("clip_sample_range", 1.0);
        finalAlphaCumprod = FinalAlphaCumprod(defaultSetAlphaToOne: true);
    }

    /// <summary>The weight of the stochastic part (0: DDIM, 1: DDPM-like variance).</summary>
    public double Eta { get; }

    protected override long[]? ComputeTimesteps(int steps, out float[] timesteps)
    {
        double[] raw = Spacing.Descending(spacing, Schedule.TrainTimesteps, steps, stepsOffset);
        long[] ints = ToLongs(raw.Select(NumpyMath.Round));
        timesteps = ints.Select(t => (float)t).ToArray();
        return ints;
    }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        long t = IntegerTimesteps![stepIndex];
        // diffusers steps back by train_steps // steps whatever the spacing.
        long prevT = t - Schedule.TrainTimesteps / NumInferenceSteps;
        float alphaProd = AlphaProd(t, finalAlphaCumprod);
        float alphaProdPrev = AlphaProd(prevT, finalAlphaCumprod);
        float betaProd = 1f - alphaProd;
        float sqrtA = MathF.Sqrt(alphaProd), sqrtB = MathF.Sqrt(betaProd);

        Tensor predOriginal, predEpsilon;
        if (IsVPrediction)
        {
            predOriginal = sample.mul(sqrtA) - modelOutput.mul(sqrtB);
            predEpsilon = modelOutput.mul(sqrtA) + sample.mul(sqrtB);
        }
        else
        {
            predOriginal = (sample - modelOutput.mul(sqrtB)).div(sqrtA);
            predEpsilon = modelOutput;
        }
        if (clipSample) predOriginal = predOriginal.clamp(-clipRange, clipRange);

        float betaProdPrev = 1f - alphaProdPrev;
        float variance = betaProdPrev / betaProd * (1f - alphaProd / alphaProdPrev);
        float stdDev = (float)Eta * MathF.Sqrt(variance);
        float directionCoeff = MathF.Sqrt(1f - alphaProdPrev - stdDev * stdDev);
        var prev = predOriginal.mul(MathF.Sqrt(alphaProdPrev)) + predEpsilon.mul(directionCoeff);
        if (Eta > 0) prev = prev + RowNoise(modelOutput, generators).mul(stdDev);
        return (prev, predOriginal);
    }
}
