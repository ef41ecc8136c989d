using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// A diffusion sampler, following diffusers' scheduler contract: <see cref="SetTimesteps"/>, then for each step
/// index i: x_in = <see cref="ScaleModelInput"/>(x, i), model_output = UNet(x_in, <see cref="Timesteps"/>[i]),
/// x = <see cref="Step"/>(model_output, i, x).PrevSample. Initial noise is multiplied by <see cref="InitNoiseSigma"/>.
/// </summary>
/// <remarks>
/// Steps are addressed by index rather than by timestep value: PLMS repeats a timestep, and Euler's timesteps are
/// fractional. An instance holds the state of one generation (multistep history, step position); call
/// <see cref="SetTimesteps"/> again, or create a new instance, for every run. A batch may hold several requests:
/// noise drawn inside <see cref="Step"/> comes row by row from that row's own generator, so a request gets the same
/// image alone or in any batch. Not thread-safe.
/// </remarks>
public interface IScheduler : IDisposable
{
    /// <summary>The factory name, e.g. "euler-a".</summary>
    string Name { get; }

    /// <summary>The training noise schedule (betas, alphas_cumprod) from the config.</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>The step count asked of <see cref="SetTimesteps"/> (PLMS runs one step more).</summary>
    int NumInferenceSteps { get; }

    /// <summary>The number of UNet evaluations: the length of <see cref="Timesteps"/>.</summary>
    int StepCount { get; }

    /// <summary>The timestep the UNet is conditioned on at each step, exactly diffusers' <c>scheduler.timesteps</c>
    /// as float32 (whole numbers for DDIM, PLMS, DPM-Solver and LCM; fractional for the Euler family).</summary>
    IReadOnlyList<float> Timesteps { get; }

    /// <summary>The int64 schedule for the schedulers whose diffusers timesteps are integers; null for the Euler
    /// family.</summary>
    IReadOnlyList<long>? IntegerTimesteps { get; }

    /// <summary>The noise levels σ per step plus the final one, for the schedulers that have them; else null.</summary>
    IReadOnlyList<float>? Sigmas { get; }

    /// <summary>The factor that scales unit-variance initial noise (σ_max for the Euler family, else 1).</summary>
    double InitNoiseSigma { get; }

    /// <summary>Computes the timesteps for <paramref name="steps"/> steps and clears all per-run state.</summary>
    void SetTimesteps(int steps);

    /// <summary>The model input for step <paramref name="stepIndex"/> (the Euler family divides by sqrt(σ²+1);
    /// the others return the sample itself).</summary>
    Tensor ScaleModelInput(Tensor sample, int stepIndex);

    /// <summary>Advances the sample by one step. Steps must be taken in order, starting at 0 or at the index
    /// <see cref="BeginAtStrength"/> returned. <paramref name="generators"/> holds one generator per batch row and is
    /// required by the schedulers that draw noise (Euler ancestral, LCM, DDIM with eta &gt; 0).</summary>
    SchedulerStepOutput Step(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators = null);

    /// <summary>Noises clean latents to the level of step <paramref name="stepIndex"/> (img2img: the start index
    /// from <see cref="BeginAtStrength"/>).</summary>
    Tensor AddNoise(Tensor original, Tensor noise, int stepIndex);

    /// <summary>Keeps only the given batch rows of the per-run history (multistep schedulers remember earlier
    /// model outputs), so a cancelled sample can leave the batch between steps while the others go on unchanged.
    /// </summary>
    void KeepRows(IReadOnlyList<long> rows);

    /// <summary>diffusers' img2img <c>get_timesteps</c>: skips the first steps so that only
    /// min(⌊steps·strength⌋, steps) of them run, and makes the next <see cref="Step"/> start there. Call it after
    /// <see cref="SetTimesteps"/>, before the first step. LCM follows its own img2img pipeline instead: it
    /// reschedules all the steps on a grid cut by strength and starts at 0.</summary>
    Img2ImgStart BeginAtStrength(double strength);
}

/// <summary>The result of one step. Both tensors belong to the caller (or to its open dispose scope).</summary>
/// <param name="PrevSample">The sample for the next step.</param>
/// <param name="PredOriginalSample">The predicted clean sample, where the scheduler defines one (LCM: its
/// denoised output; PLMS and DPM-Solver return none, as in diffusers).</param>
public sealed record SchedulerStepOutput(Tensor PrevSample, Tensor? PredOriginalSample);

/// <summary>Where an img2img run starts.</summary>
/// <param name="StartIndex">The first step index to run.</param>
/// <param name="StepsToRun">StepCount - StartIndex.</param>
/// <param name="NoiseTimestep">The timestep of the start step, at which the init latents are noised.</param>
public readonly record struct Img2ImgStart(int StartIndex, int StepsToRun, float NoiseTimestep);
