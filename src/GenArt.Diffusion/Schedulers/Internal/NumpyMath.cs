namespace GenArt.Diffusion.Schedulers.Internal;

/// <summary>
/// The numpy routines diffusers computes its schedules with, reproduced to the last bit where it matters
/// (rounding to integer timesteps): numpy's element formulas, round-half-to-even, and float32/float64 boundaries.
/// </summary>
internal static class NumpyMath
{
    /// <summary>np.linspace(start, stop, num, endpoint) in float64: i·step + start, the endpoint set exactly.</summary>
    public static double[] Linspace(double start, double stop, int num, bool endpoint = true)
    {
        var y = new double[num];
        int div = endpoint ? num - 1 : num;
        if (num == 0) return y;
        if (div == 0) { y[0] = start; return y; }
        double step = (stop - start) / div;
        for (int i = 0; i < num; i++) y[i] = step == 0 ? i / (double)div * (stop - start) + start : i * step + start;
        if (endpoint && num > 1) y[^1] = stop;
        return y;
    }

    /// <summary>np.arange(start, stop, step) for floats: numpy fills start + i·(b1 - b0) with b1 = start + step.</summary>
    public static double[] Arange(double start, double stop, double step)
    {
        int len = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var y = new double[len];
        if (len == 0) return y;
        y[0] = start;
        if (len == 1) return y;
        y[1] = start + step;
        double delta = y[1] - y[0];
        for (int i = 2; i < len; i++) y[i] = start + i * delta;
        return y;
    }

    /// <summary>np.round: half to even.</summary>
    public static double Round(double x) => Math.Round(x, MidpointRounding.ToEven);

    /// <summary>np.interp(x, arange(len(fp)), fp): linear interpolation in float64 on unit-spaced knots.</summary>
    public static double InterpUnitGrid(double x, float[] fp)
    {
        int n = fp.Length;
        if (double.IsNaN(x)) return x;
        if (x < 0) return fp[0];
        if (x >= n - 1) return fp[n - 1];
        int j = (int)Math.Floor(x);
        if (j == x) return fp[j];
        double slope = ((double)fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /// <summary>diffusers' _sigma_to_t: the fractional train timestep whose log-σ matches, with
    /// <paramref name="logSigmas"/> the float32 log of the train σ table (ascending in t).</summary>
    public static double SigmaToT(double sigma, float[] logSigmas)
    {
        double logSigma = Math.Log(Math.Max(sigma, 1e-10));
        // low_idx = argmax(cumsum(log_sigma - log_sigmas >= 0)), clipped to n - 2.
        int count = 0, best = 0, lowIdx = 0;
        for (int i = 0; i < logSigmas.Length; i++)
        {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > best) { best = count; lowIdx = i; }
        }
        lowIdx = Math.Min(lowIdx, logSigmas.Length - 2);
        int highIdx = lowIdx + 1;
        float low = logSigmas[lowIdx], high = logSigmas[highIdx];
        // (low - high) is a float32 difference in numpy; (low - log_sigma) is float64.
        double w = (low - logSigma) / (float)(low - high);
        w = Math.Clamp(w, 0, 1);
        return (1 - w) * lowIdx + w * highIdx;
    }

    /// <summary>Karras et al. (2022) σ ramp with ρ = 7, in float64 as diffusers' _convert_to_karras.</summary>
    public static double[] KarrasSigmas(double sigmaMin, double sigmaMax, int steps)
    {
        const double rho = 7.0;
        double[] ramp = Linspace(0, 1, steps);
        double minInv = Math.Pow(sigmaMin, 1 / rho), maxInv = Math.Pow(sigmaMax, 1 / rho);
        return ramp.Select(r => Math.Pow(maxInv + r * (minInv - maxInv), rho)).ToArray();
    }
}
