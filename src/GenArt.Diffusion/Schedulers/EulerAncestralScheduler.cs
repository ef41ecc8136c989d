using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// Euler ancestral ("Euler a"), as diffusers' EulerAncestralDiscreteScheduler: an Euler step down to σ_down,
/// then fresh noise of scale σ_up so that the marginal lands on σ_{i+1} (k-diffusion's get_ancestral_step).
/// Every step draws noise, the last included, one row per batch row from that row's generator.
/// </summary>
public sealed class EulerAncestralScheduler : EulerScheduler
{
    public EulerAncestralScheduler(SchedulerConfig config) : base("euler-a", config, ancestral: true) { }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        var x = sample.dtype == torch.float32 ? sample : sample.to(torch.float32);
        float sigmaFrom = SigmaAt(stepIndex);
        float sigmaTo = SigmaAt(stepIndex + 1);
        var predOriginal = PredictOriginal(modelOutput, x, sigmaFrom);

        float from2 = sigmaFrom * sigmaFrom, to2 = sigmaTo * sigmaTo;
        float sigmaUp = MathF.Sqrt(to2 * (from2 - to2) / from2);
        float sigmaDown = MathF.Sqrt(to2 - sigmaUp * sigmaUp);

        var derivative = (x - predOriginal).div(sigmaFrom);
        var prev = x + derivative.mul(sigmaDown - sigmaFrom);
        var noise = RowNoise(modelOutput, generators);
        prev = prev + noise.mul(sigmaUp);
        return (prev.dtype == modelOutput.dtype ? prev : prev.to(modelOutput.dtype), predOriginal);
    }
}
