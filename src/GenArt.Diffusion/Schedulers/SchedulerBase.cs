using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// What every scheduler shares: the noise schedule, the step-order bookkeeping, per-row noise, img2img start.
/// </summary>
/// <remarks>
/// Scalar coefficients are computed in float32 wherever diffusers computes them on 0-dim float32 tensors, and
/// tensor expressions keep diffusers' operation order, so trajectories agree with the reference bit for bit
/// rather than merely to the math.
/// </remarks>
public abstract class SchedulerBase : IScheduler
{
    private int nextStep = -1;
    private int beginStep;

    protected SchedulerBase(string name, SchedulerConfig config)
    {
        Name = name;
        Config = config;
        config.RefuseIfTrue("thresholding", "dynamic thresholding (Imagen) is for pixel-space models, not latent diffusion");
        Schedule = NoiseSchedule.FromConfig(config);
        PredictionType = config.GetChoice("prediction_type", "epsilon", "epsilon", "v_prediction");
    }

    public string Name { get; }

    public SchedulerConfig Config { get; }

    public NoiseSchedule Schedule { get; }

    /// <summary>"epsilon" or "v_prediction".</summary>
    public string PredictionType { get; }

    protected bool IsVPrediction => PredictionType == "v_prediction";

    public int NumInferenceSteps { get; private set; }

    public int StepCount => Timesteps.Count;

    // Read-only views: the arrays are the scheduler's own state, not copies.
    public IReadOnlyList<float> Timesteps { get; private set; } = [];

    public IReadOnlyList<long>? IntegerTimesteps { get; private set; }

    public virtual IReadOnlyList<float>? Sigmas => null;

    public virtual double InitNoiseSigma => 1.0;

    public void SetTimesteps(int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "the number of inference steps must be at least 1");
        if (steps > Schedule.TrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"the number of inference steps cannot exceed num_train_timesteps ({Schedule.TrainTimesteps})");
        // Computed before any state changes, so a refused step count leaves the previous schedule intact.
        long[]? ints = ComputeTimesteps(steps, out float[] timesteps);
        ResetState();
        NumInferenceSteps = steps;
        IntegerTimesteps = ints;
        Timesteps = timesteps;
        nextStep = -1;
        beginStep = 0;
    }

    public virtual Tensor ScaleModelInput(Tensor sample, int stepIndex)
    {
        CheckIndex(stepIndex);
        return sample;
    }

    public SchedulerStepOutput Step(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators = null)
    {
        CheckIndex(stepIndex);
        int expected = nextStep < 0 ? beginStep : nextStep;
        if (stepIndex != expected)
            throw new InvalidOperationException(
                $"{Name}: step {stepIndex} was called but step {expected} is next; steps run in order (call SetTimesteps to start a new run)");
        if (!SameShape(modelOutput.shape, sample.shape))
            throw new ArgumentException($"model output shape [{string.Join(", ", modelOutput.shape)}] differs from sample shape [{string.Join(", ", sample.shape)}]", nameof(modelOutput));

        using var scope = torch.NewDisposeScope();
        var (prev, pred) = StepCore(modelOutput, stepIndex, sample, generators);
        nextStep = stepIndex + 1;
        prev.MoveToOuterDisposeScope();
        pred?.MoveToOuterDisposeScope();
        return new SchedulerStepOutput(prev, pred);
    }

    public Tensor AddNoise(Tensor original, Tensor noise, int stepIndex)
    {
        CheckIndex(stepIndex);
        if (!SameShape(original.shape, noise.shape))
            throw new ArgumentException("noise must have the shape of the original latents", nameof(noise));
        using var scope = torch.NewDisposeScope();
        return AddNoiseCore(original, noise, stepIndex).MoveToOuterDisposeScope();
    }

    public virtual Img2ImgStart BeginAtStrength(double strength)
    {
        CheckStrength(strength);
        int n = NumInferenceSteps;
        int initTimestep = Math.Min((int)(n * strength), n);
        int start = Math.Max(n - initTimestep, 0);
        if (start >= StepCount)
            throw new ArgumentOutOfRangeException(nameof(strength), strength, $"strength {strength} with {n} steps leaves no step to run");
        beginStep = start;
        return new Img2ImgStart(start, StepCount - start, Timesteps[start]);
    }

    public void Dispose()
    {
        ResetState();
        GC.SuppressFinalize(this);
    }

    /// <summary>Refuses a strength outside [0, 1], or one chosen before SetTimesteps or after the run started.</summary>
    protected void CheckStrength(double strength)
    {
        if (NumInferenceSteps == 0) throw new InvalidOperationException($"{Name}: call SetTimesteps before BeginAtStrength");
        if (!(strength >= 0 && strength <= 1)) throw new ArgumentOutOfRangeException(nameof(strength), strength, "strength must lie in [0, 1]");
        if (nextStep >= 0) throw new InvalidOperationException($"{Name}: the run has already started; call SetTimesteps first");
    }

    /// <summary>Replaces the schedule of the current run (LCM narrows its grid for img2img).</summary>
    protected void ReplaceTimesteps(long[]? integerTimesteps, float[] timesteps)
    {
        IntegerTimesteps = integerTimesteps;
        Timesteps = timesteps;
    }

    /// <summary>Fills the per-step UNet timesteps; returns the int64 schedule, or null when it is fractional.</summary>
    protected abstract long[]? ComputeTimesteps(int steps, out float[] timesteps);

    /// <summary>One step; temporaries may be left to the dispose scope the caller opened around this call.</summary>
    protected abstract (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators);

    /// <summary>DDPM forward noising at the train timestep of the step; the σ schedulers override it.</summary>
    protected virtual Tensor AddNoiseCore(Tensor original, Tensor noise, int stepIndex)
    {
        long t = IntegerTimesteps is { } ts ? ts[stepIndex] : (long)Timesteps[stepIndex];
        return Schedule.AddNoise(original, noise, t);
    }

    /// <summary>Drops multistep history (stored tensors are owned by the scheduler and disposed here).</summary>
    protected virtual void ResetState() { }

    /// <summary>ᾱ at a train timestep, or the final value when it is negative (diffusers' final_alpha_cumprod).</summary>
    protected float AlphaProd(long timestep, float finalAlphaCumprod) =>
        timestep >= 0 ? Schedule.AlphasCumprod[checked((int)timestep)] : finalAlphaCumprod;

    /// <summary>The final ᾱ past the last step: 1 with set_alpha_to_one, else ᾱ_0 (diffusers' final_alpha_cumprod).</summary>
    protected float FinalAlphaCumprod(bool defaultSetAlphaToOne) =>
        Config.GetBool("set_alpha_to_one", defaultSetAlphaToOne) ? 1f : Schedule.AlphasCumprod[0];

    /// <summary>Standard normal noise shaped like <paramref name="like"/>, row b drawn as randn([1, ...]) from
    /// generators[b], as diffusers' randn_tensor does with a list of generators.</summary>
    protected Tensor RowNoise(Tensor like, IReadOnlyList<Generator>? generators)
    {
        long[] shape = like.shape;
        long rows = shape[0];
        if (generators is null)
            throw new ArgumentNullException(nameof(generators), $"{Name} draws noise at each step and needs one generator per batch row");
        if (generators.Count != rows)
            throw new ArgumentException($"{Name} needs one generator per batch row: {rows} rows, {generators.Count} generators", nameof(generators));
        shape[0] = 1;
        var parts = new Tensor[rows];
        for (int b = 0; b < rows; b++) parts[b] = torch.randn(shape, generators[b], like.dtype, like.device);
        return rows == 1 ? parts[0] : torch.cat(parts, 0);
    }

    /// <summary>Takes a tensor out of every dispose scope so it can be kept between steps.</summary>
    protected static Tensor Keep(Tensor t) => t.DetachFromDisposeScope();

    public void KeepRows(IReadOnlyList<long> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("at least one row must stay", nameof(rows));
        using var index = torch.tensor(rows.ToArray(), rows.Count);
        KeepRowsCore(index);
    }

    /// <summary>Replaces each history tensor by its selected rows; stateless schedulers keep nothing.</summary>
    protected virtual void KeepRowsCore(Tensor rows)
    {
    }

    /// <summary>The selected rows of <paramref name="t"/> as a new history tensor; the old one is disposed.</summary>
    protected static Tensor SelectRows(Tensor t, Tensor rows)
    {
        var kept = Keep(t.index_select(0, rows.to(t.device)));
        t.Dispose();
        return kept;
    }

    protected void CheckIndex(int stepIndex)
    {
        if (NumInferenceSteps == 0) throw new InvalidOperationException($"{Name}: call SetTimesteps before stepping");
        if (stepIndex < 0 || stepIndex >= StepCount)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex, $"step index must lie in [0, {StepCount})");
    }

    protected static long[] ToLongs(IEnumerable<double> values) => values.Select(v => (long)v).ToArray();

    private static bool SameShape(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);
}
