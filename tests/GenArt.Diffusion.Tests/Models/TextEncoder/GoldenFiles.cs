using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Models.TextEncoder;

/// <summary>Paths into tests/fixtures, found from the folder that holds GenArt.sln.</summary>
internal static class GoldenFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string Fixtures => Path.Combine(Root.Value, "tests", "fixtures");

    public static string Golden(params string[] parts) => Path.Combine([Fixtures, "golden", .. parts]);

    public static string Tokenizer(params string[] parts) => Path.Combine([Fixtures, "tokenizer", .. parts]);

    /// <summary>Largest |a - b| over whole tensors of equal shape.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.That(a.shape, Is.EqualTo(b.shape), "shapes differ");
        using var fa = a.to(Device.CPU, ScalarType.Float64, copy: true);
        using var fb = b.to(Device.CPU, ScalarType.Float64, copy: true);
        using var d = fa.sub(fb);
        using var abs = d.abs();
        using var max = abs.max();
        return max.item<double>();
    }

    private static string FindRoot() => RepoPaths.Root;
}
