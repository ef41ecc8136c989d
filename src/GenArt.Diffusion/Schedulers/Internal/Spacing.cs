namespace GenArt.Diffusion.Schedulers.Internal;

/// <summary>
/// diffusers' <c>timestep_spacing</c> rules (Table 2 of "Common Diffusion Noise Schedules and Sample Steps are
/// Flawed", arXiv:2305.08891), returned in descending order, before any scheduler-specific adjustment.
/// </summary>
internal static class Spacing
{
    public static readonly string[] Names = ["leading", "trailing", "linspace"];

    /// <summary>The spacing rule shared by DDIM and the Euler family: <paramref name="steps"/> values,
    /// descending; "leading" adds <paramref name="stepsOffset"/>, "trailing" ends at trainSteps - 1.</summary>
    public static double[] Descending(string spacing, int trainSteps, int steps, int stepsOffset) => spacing switch
    {
        // linspace keeps fractional values; integer schedulers round them (half to even, as numpy).
        "linspace" => NumpyMath.Linspace(0, trainSteps - 1, steps).Reverse().ToArray(),
        "leading" => Enumerable.Range(0, steps).Select(i => (double)(i * (trainSteps / steps))).Reverse()
            .Select(t => t + stepsOffset).ToArray(),
        "trailing" => NumpyMath.Arange(trainSteps, 0, -(double)trainSteps / steps).Select(t => NumpyMath.Round(t) - 1).ToArray(),
        _ => throw new SchedulerConfigException("timestep_spacing", $"\"{spacing}\" is not supported; supported: \"leading\", \"trailing\", \"linspace\""),
    };
}
