namespace GenArt.Diffusion.Schedulers.Internal;

/// <summary>The noise-level view of a DDPM schedule, σ_t = sqrt((1 - ᾱ_t) / ᾱ_t), shared by the σ schedulers.</summary>
internal static class SigmaTable
{
    /// <summary>σ per train timestep (ascending t), in float32 as diffusers computes it on the float32 ᾱ table.</summary>
    public static float[] TrainSigmas(NoiseSchedule schedule) =>
        schedule.AlphasCumprod.Select(a => MathF.Sqrt((1f - a) / a)).ToArray();

    /// <summary>σ at (fractional) timesteps by linear interpolation of the train table, then float32.</summary>
    public static float[] Interpolate(float[] trainSigmas, IEnumerable<double> timesteps) =>
        timesteps.Select(t => (float)NumpyMath.InterpUnitGrid(t, trainSigmas)).ToArray();

    /// <summary>The value of the last σ: 0, or σ at timestep 0 ("sigma_min").</summary>
    public static float Final(string finalSigmasType, float[] trainSigmas) =>
        finalSigmasType == "sigma_min" ? trainSigmas[0] : 0f;

    /// <summary>The model-input divisor sqrt(σ² + 1), in float32.</summary>
    public static float InputDivisor(float sigma) => MathF.Sqrt(sigma * sigma + 1f);
}
