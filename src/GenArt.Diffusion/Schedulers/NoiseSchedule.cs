using GenArt.Torch;

namespace GenArt.Diffusion.Schedulers;

/// <summary>
/// The training noise schedule: betas and their cumulative alpha product over <c>num_train_timesteps</c>.
/// </summary>
/// <remarks>
/// diffusers builds betas as a float32 torch tensor and takes their cumprod in float32; the tables are kept as
/// float32 and reproduce PyTorch's values bit for bit, because every later coefficient starts from them.
/// </remarks>
public sealed class NoiseSchedule
{
    private readonly float[] betas;
    private readonly float[] alphasCumprod;

    private NoiseSchedule(float[] betas)
    {
        this.betas = betas;
        // torch.cumprod on float32 accumulates in double and rounds each partial product to float32.
        alphasCumprod = new float[betas.Length];
        double product = 1.0;
        for (int i = 0; i < betas.Length; i++)
        {
            product *= 1f - betas[i];
            alphasCumprod[i] = (float)product;
        }
    }

    public IReadOnlyList<float> Betas => betas;

    /// <summary>ᾱ_t, the cumulative product of 1 - β up to train timestep t.</summary>
    public IReadOnlyList<float> AlphasCumprod => alphasCumprod;

    public int TrainTimesteps => betas.Length;

    /// <summary>Reads <c>num_train_timesteps</c>, <c>beta_start</c>, <c>beta_end</c>, <c>beta_schedule</c> and
    /// <c>trained_betas</c>, with diffusers' defaults (1000, 0.0001, 0.02, "linear").</summary>
    public static NoiseSchedule FromConfig(SchedulerConfig config)
    {
        config.RefuseIfTrue("rescale_betas_zero_snr", "zero-terminal-SNR rescaling is not implemented");
        double[]? trained = config.GetDoubleArray("trained_betas");
        if (trained is not null)
        {
            if (trained.Length < 2) throw new SchedulerConfigException("trained_betas", "needs at least 2 values");
            foreach (double b in trained)
                if (!(b > 0 && b < 1)) throw new SchedulerConfigException("trained_betas", $"every beta must lie in (0, 1), got {b}");
            return new NoiseSchedule(trained.Select(b => (float)b).ToArray());
        }

        int n = config.GetInt("num_train_timesteps", 1000);
        if (n < 2) throw new SchedulerConfigException("num_train_timesteps", $"must be at least 2, got {n}");
        double start = config.GetDouble("beta_start", 0.0001);
        double end = config.GetDouble("beta_end", 0.02);
        string kind = config.GetChoice("beta_schedule", "linear", "linear", "scaled_linear", "squaredcos_cap_v2");
        if (kind != "squaredcos_cap_v2")
        {
            if (!(start > 0 && start < 1)) throw new SchedulerConfigException("beta_start", $"must lie in (0, 1), got {start}");
            if (!(end > 0 && end < 1)) throw new SchedulerConfigException("beta_end", $"must lie in (0, 1), got {end}");
        }
        return new NoiseSchedule(kind switch
        {
            "linear" => Linspace(start, end, n),
            "scaled_linear" => Squared(Linspace(Math.Sqrt(start), Math.Sqrt(end), n)),
            _ => CosineBetas(n),
        });
    }

    /// <summary>diffusers' <c>add_noise</c> for a train timestep t: sqrt(ᾱ_t)·x0 + sqrt(1-ᾱ_t)·noise, the
    /// coefficients rounded to float32 as diffusers computes them.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, long timestep)
    {
        if (timestep < 0 || timestep >= TrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, $"must lie in [0, {TrainTimesteps})");
        float a = alphasCumprod[timestep];
        float sqrtA = MathF.Sqrt(a);
        float sqrtB = MathF.Sqrt(1f - a);
        using var scope = torch.NewDisposeScope();
        var result = original.mul(sqrtA) + noise.mul(sqrtB);
        return result.MoveToOuterDisposeScope();
    }

    // torch.linspace for float32 as PyTorch's CPU kernel computes it: start + step·i for the first half and
    // end - step·(n-1-i) for the second, each a fused multiply-add (the kernel is built with FMA contraction).
    private static float[] Linspace(double start, double end, int n)
    {
        float s = (float)start, e = (float)end;
        float step = (e - s) / (n - 1);
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = i < n / 2 ? MathF.FusedMultiplyAdd(step, i, s) : MathF.FusedMultiplyAdd(-step, n - i - 1, e);
        return v;
    }

    private static float[] Squared(float[] v) => v.Select(x => x * x).ToArray();

    // Glide's cosine schedule (squaredcos_cap_v2), computed in double as diffusers' betas_for_alpha_bar does,
    // each beta capped at 0.999, then rounded to float32.
    private static float[] CosineBetas(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t1 = (double)i / n, t2 = (double)(i + 1) / n;
            betas[i] = (float)Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), 0.999);
        }
        return betas;
    }
}
