using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Models;

/// <summary>Paths into tests/fixtures (found by walking up to GenArt.sln) and whole-tensor comparisons.</summary>
internal static class ModelFixtures
{
    public static string Root => RepoPaths.Fixtures;

    public static string Golden(string relative) => Path.Combine(Root, "golden", relative);

    public static string Config(string relative) => Path.Combine(Root, "configs", relative);

    /// <summary>Max |a - b| over the whole tensors, after checking that the shapes agree.</summary>
    public static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), "shape");
        using var a = actual.to(ScalarType.Float64);
        using var e = expected.to(ScalarType.Float64);
        using var d = a.sub(e);
        using var abs = d.abs();
        using var m = abs.max();
        return m.item<double>();
    }

    /// <summary>Asserts max |actual - golden[key]| &lt;= tolerance and reports the error.</summary>
    public static void AssertClose(SafeTensorsFile golden, string key, Tensor actual, double tolerance = 1e-4)
    {
        using var expected = golden.Load(key);
        double err = MaxAbsDiff(actual, expected);
        TestContext.Out.WriteLine($"{key}: max abs error {err:E2}");
        Assert.That(err, Is.LessThanOrEqualTo(tolerance), key);
    }

    public static bool AllFinite(Tensor t)
    {
        using var finite = t.isfinite();
        using var all = finite.to(ScalarType.Float32).min();
        return all.item<float>() == 1f;
    }
}
