namespace GenArt.Torch.Tests;

internal static class Expect
{
    public static void Values(Tensor t, float[] expected, double tolerance = 1e-6)
    {
        var actual = t.to(ScalarType.Float32).data<float>();
        Assert.That(actual, Has.Length.EqualTo(expected.Length), "element count");
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"element {i}");
    }

    public static void Shape(Tensor t, params long[] shape) => Assert.That(t.shape, Is.EqualTo(shape));

    public static Tensor F(float[] data, params long[] shape) => torch.tensor<float>(data.AsSpan(), shape.Length == 0 ? [data.Length] : shape);
}
