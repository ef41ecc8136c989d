using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Schedulers;

/// <summary>Element-wise comparison with the goldens' relative-error measure: |a - b| / max(|b|, floor).</summary>
internal static class Close
{
    /// <summary>The largest relative error over all elements.</summary>
    public static double MaxRel(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double floor = 1e-3)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), "element count");
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(diff)) return double.PositiveInfinity;
            worst = Math.Max(worst, diff / Math.Max(Math.Abs((double)expected[i]), floor));
        }
        return worst;
    }

    public static double MaxRel(Tensor actual, Tensor expected, double floor = 1e-3)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), "shape");
        return MaxRel(actual.data<float>(), expected.data<float>(), floor);
    }

    /// <summary>Asserts max relative error ≤ <paramref name="rtol"/> and returns it.</summary>
    public static double Check(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double rtol, string what)
    {
        double rel = MaxRel(actual, expected);
        if (rel > rtol) Assert.Fail($"{what}: max relative error {rel:E3} > {rtol:E0}; {Worst(actual, expected)}");
        return rel;
    }

    // The element with the largest relative error, for a failure message.
    private static string Worst(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        int at = 0;
        double worst = -1, scale = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double r = Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Abs((double)expected[i]), 1e-3);
            if (r > worst) { worst = r; at = i; }
        }
        return $"element {at}: got {actual[at]:R}, expected {expected[at]:R} (largest |expected| {scale:R})";
    }

    public static double Check(Tensor actual, Tensor expected, double rtol, string what)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), $"{what}: shape");
        return Check(actual.data<float>(), expected.data<float>(), rtol, what);
    }
}
