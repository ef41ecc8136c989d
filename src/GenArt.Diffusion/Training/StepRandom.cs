namespace GenArt.Diffusion.Training;

/// <summary>
/// Per-step random numbers derived from (run seed, phase, step) alone, so no generator state has to be saved:
/// a resumed run draws the same noise, timesteps and caption dropouts as an uninterrupted one.
/// </summary>
internal static class StepRandom
{
    public static ulong Seed(ulong runSeed, int phase, long step) =>
        Mix(Mix(runSeed ^ 0x9E3779B97F4A7C15UL * (ulong)(phase + 1)) + (ulong)step);

    // SplitMix64's finaliser: consecutive inputs give unrelated outputs.
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) from a seed and a draw index.</summary>
    public static double Uniform(ulong seed, long draw) => (Mix(seed + (ulong)draw * 0xD1B54A32D192ED03UL) >> 11) * (1.0 / (1UL << 53));
}
