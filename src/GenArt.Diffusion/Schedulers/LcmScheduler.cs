using GenArt.Diffusion.Schedulers.Internal;
using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// Latent Consistency Model multistep sampling (Luo et al., arXiv:2310.04378), as diffusers' LCMScheduler: each
/// step maps x_t to the consistency estimate ("denoised") and, except at the last step, re-noises it to the next
/// timestep with fresh noise from each row's generator.
/// </summary>
public sealed class LcmScheduler : SchedulerBase
{
    // σ_data of the consistency-model boundary condition (diffusers' default, fixed there too).
    private const float SigmaData = 0.5f;

    private readonly int originalSteps;
    private readonly float timestepScaling;
    private readonly bool clipSample;
    private readonly float clipRange;
    private readonly float finalAlphaCumprod;

    public LcmScheduler(SchedulerConfig config) : base("lcm", config)
    {
        originalSteps = config.GetInt("original_inference_steps", 50);
        if (originalSteps < 1 || originalSteps > Schedule.TrainTimesteps)
            throw new SchedulerConfigException("original_inference_steps",
                $"must lie in [1, num_train_timesteps = {Schedule.TrainTimesteps}], got {originalSteps}");
        timestepScaling = (float)config.GetDouble("timestep_scaling", 10.0);
        // LCM always spaces its timesteps on the distillation grid; diffusers ignores timestep_spacing here too.
        clipSample = config.GetBool("clip_sample", false);
        clipRange = (float)config.GetDouble("clip_sample_range", 1.0);
        finalAlphaCumprod = FinalAlphaCumprod(defaultSetAlphaToOne: true);
    }

    protected override long[]? ComputeTimesteps(int steps, out float[] timesteps)
    {
        if (steps > originalSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"LCM cannot run more steps than original_inference_steps ({originalSteps}): its timesteps are a subset of that grid");
        return GridSchedule(steps, 1.0, out timesteps);
    }

    /// <summary>LCM's img2img, as diffusers' LCM img2img pipeline: the distillation grid is cut to its first
    /// ⌊original_inference_steps·strength⌋ timesteps and all the steps run on that shorter grid, from step 0.</summary>
    public override Img2ImgStart BeginAtStrength(double strength)
    {
        CheckStrength(strength);
        int gridLength = (int)(originalSteps * strength);
        if (gridLength / NumInferenceSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(strength), strength,
                $"strength {strength} leaves {gridLength} of the {originalSteps} distillation timesteps, fewer than the {NumInferenceSteps} steps asked");
        long[] ints = GridSchedule(NumInferenceSteps, strength, out float[] timesteps);
        ReplaceTimesteps(ints, timesteps);
        return new Img2ImgStart(0, StepCount, Timesteps[0]);
    }

    // The distillation grid k-1, 2k-1, ... (k = train steps / original steps) up to ⌊original·strength⌋ entries,
    // descending; the steps are picked from it at evenly spaced positions.
    private long[] GridSchedule(int steps, double strength, out float[] timesteps)
    {
        int k = Schedule.TrainTimesteps / originalSteps;
        int gridLength = (int)(originalSteps * strength);
        long[] grid = Enumerable.Range(1, gridLength).Select(i => (long)i * k - 1).Reverse().ToArray();
        long[] ints = NumpyMath.Linspace(0, grid.Length, steps, endpoint: false)
            .Select(p => grid[(long)Math.Floor(p)]).ToArray();
        timesteps = ints.Select(t => (float)t).ToArray();
        return ints;
    }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        long t = IntegerTimesteps![stepIndex];
        long prevT = stepIndex + 1 < StepCount ? IntegerTimesteps[stepIndex + 1] : t;
        float alphaProd = AlphaProd(t, finalAlphaCumprod);
        float alphaProdPrev = AlphaProd(prevT, finalAlphaCumprod);
        float sqrtA = MathF.Sqrt(alphaProd), sqrtB = MathF.Sqrt(1f - alphaProd);

        // Boundary-condition scalings c_skip, c_out at the scaled timestep.
        float scaled = t * timestepScaling;
        // diffusers evaluates σ_data² / x as reciprocal(x)·σ_data² (torch's reverse division of a 0-dim tensor).
        float cSkip = 1f / (scaled * scaled + SigmaData * SigmaData) * (SigmaData * SigmaData);
        float cOut = scaled / MathF.Sqrt(scaled * scaled + SigmaData * SigmaData);

        var predOriginal = IsVPrediction
            ? sample.mul(sqrtA) - modelOutput.mul(sqrtB)
            : (sample - modelOutput.mul(sqrtB)).div(sqrtA);
        if (clipSample) predOriginal = predOriginal.clamp(-clipRange, clipRange);
        var denoised = predOriginal.mul(cOut) + sample.mul(cSkip);

        if (stepIndex == StepCount - 1) return (denoised.clone(), denoised);
        var noise = RowNoise(denoised, generators);
        var prev = denoised.mul(MathF.Sqrt(alphaProdPrev)) + noise.mul(MathF.Sqrt(1f - alphaProdPrev));
        return (prev, denoised);
    }
}
