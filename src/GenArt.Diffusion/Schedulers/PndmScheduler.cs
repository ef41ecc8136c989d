using GenArt.Diffusion.Schedulers.Internal;
using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// PLMS, the linear multistep half of PNDM (Liu et al., arXiv:2202.09778), as diffusers' PNDMScheduler with
/// <c>skip_prk_steps</c> = true (the Stable Diffusion setting). The Runge-Kutta warm-up is not implemented: a config
/// with <c>skip_prk_steps</c> false is refused. The second timestep is repeated, so it runs steps + 1 UNet calls.
/// </summary>
public sealed class PndmScheduler : SchedulerBase
{
    private readonly string spacing;
    private readonly int stepsOffset;
    private readonly float finalAlphaCumprod;
    private readonly List<Tensor> ets = [];
    private Tensor? curSample;
    private int counter;

    public PndmScheduler(SchedulerConfig config) : base("pndm", config)
    {
        if (!config.GetBool("skip_prk_steps", false))
            throw new SchedulerConfigException("skip_prk_steps",
                "false (PRK warm-up steps) is not supported; only PLMS is implemented, set skip_prk_steps to true");
        spacing = config.GetChoice("timestep_spacing", "leading", Spacing.Names);
        stepsOffset = config.GetInt("steps_offset", 0);
        finalAlphaCumprod = FinalAlphaCumprod(defaultSetAlphaToOne: false);
    }

    protected override long[]? ComputeTimesteps(int steps, out float[] timesteps)
    {
        int n = Schedule.TrainTimesteps;
        // The base schedule ascending, then PLMS order: all but the last, the second-to-last again, the last; reversed.
        long[] asc = spacing switch
        {
            "linspace" => ToLongs(NumpyMath.Linspace(0, n - 1, steps).Select(NumpyMath.Round)),
            "leading" => Enumerable.Range(0, steps).Select(i => (long)i * (n / steps) + stepsOffset).ToArray(),
            _ => ToLongs(NumpyMath.Arange(n, 0, -(double)n / steps).Select(NumpyMath.Round).Reverse().Select(t => t - 1)),
        };
        var plms = new List<long>(asc[..^1]);
        if (asc.Length >= 2) plms.Add(asc[^2]);
        plms.Add(asc[^1]);
        plms.Reverse();
        long[] ints = plms.ToArray();
        timesteps = ints.Select(t => (float)t).ToArray();
        return ints;
    }

    protected override (Tensor Prev, Tensor? Pred) StepCore(Tensor modelOutput, int stepIndex, Tensor sample, IReadOnlyList<Generator>? generators)
    {
        long stride = Schedule.TrainTimesteps / NumInferenceSteps;
        long t = IntegerTimesteps![stepIndex];
        long prevT = t - stride;
        if (counter != 1)
        {
            while (ets.Count > 3) { ets[0].Dispose(); ets.RemoveAt(0); }
            ets.Add(Keep(modelOutput.clone()));
        }
        else
        {
            // The repeated timestep: the first update is redone from the saved sample with the averaged output.
            prevT = t;
            t += stride;
        }

        Tensor output;
        if (ets.Count == 1 && counter == 0)
        {
            output = modelOutput;
            curSample?.Dispose();
            curSample = Keep(sample.clone());
        }
        else if (ets.Count == 1 && counter == 1)
        {
            output = (modelOutput + ets[^1]).div(2.0);
            sample = curSample!;
        }
        else if (ets.Count == 2)
            output = (ets[^1].mul(3.0) - ets[^2]).div(2.0);
        else if (ets.Count == 3)
            output = (ets[^1].mul(23.0) - ets[^2].mul(16.0) + ets[^3].mul(5.0)).div(12.0);
        else
            output = (ets[^1].mul(55.0) - ets[^2].mul(59.0) + ets[^3].mul(37.0) - ets[^4].mul(9.0)).mul(1.0 / 24);

        var prev = PrevSample(sample, t, prevT, output);
        if (counter == 1 && ets.Count == 1)
        {
            curSample!.Dispose();
            curSample = null;
        }
        counter++;
        return (prev, null);
    }

    protected override void ResetState()
    {
        foreach (var e in ets) e.Dispose();
        ets.Clear();
        curSample?.Dispose();
        curSample = null;
        counter = 0;
    }

    // Formula (9) of the PNDM paper: x_prev from x_t and ε with the pseudo-numerical transfer.
    protected override void KeepRowsCore(Tensor rows)
    {
        for (int i = 0; i < ets.Count; i++) ets[i] = SelectRows(ets[i], rows);
        if (curSample is not null) curSample = SelectRows(curSample, rows);
    }

    private Tensor PrevSample(Tensor sample, long t, long prevT, Tensor modelOutput)
    {
        float a = AlphaProd(t, finalAlphaCumprod);
        float aPrev = AlphaProd(prevT, finalAlphaCumprod);
        float b = 1f - a, bPrev = 1f - aPrev;
        if (IsVPrediction) modelOutput = modelOutput.mul(MathF.Sqrt(a)) + sample.mul(MathF.Sqrt(b));
        float sampleCoeff = MathF.Sqrt(aPrev / a);
        float denom = a * MathF.Sqrt(bPrev) + MathF.Sqrt(a * b * aPrev);
        return sample.mul(sampleCoeff) - modelOutput.mul(aPrev - a).div(denom);
    }
}
