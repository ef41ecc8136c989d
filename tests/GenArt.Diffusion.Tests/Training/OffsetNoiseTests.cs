using GenArt.Diffusion.Training;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training;

public class OffsetNoiseTests
{
    [Test]
    public void TheOffsetIsOneDrawPerSampleAndChannelScaledAndConstantOverThePixels()
    {
        using var noise = torch.randn([2, 4, 5, 6], new Generator(1));
        using var g = new Generator(7);
        using var offset = OffsetNoise.Add(noise, 0.25, g);
        using var expected = torch.randn([2, 4, 1, 1], new Generator(7)).mul(0.25);

        using var added = offset.sub(noise);
        var perPixel = added.data<float>().ToArray();
        var perChannel = expected.data<float>().ToArray();
        Assert.That(perPixel, Has.Length.EqualTo(2 * 4 * 30));
        for (int i = 0; i < perPixel.Length; i++)
            Assert.That(perPixel[i], Is.EqualTo(perChannel[i / 30]).Within(1e-6), $"element {i}");
    }

    [Test]
    public void ScaleZeroReturnsTheNoiseAndDrawsNothing()
    {
        using var noise = torch.randn([1, 4, 3, 3], new Generator(1));
        using var g = new Generator(7);
        var same = OffsetNoise.Add(noise, 0, g);
        Assert.That(same, Is.SameAs(noise));
        using var next = torch.randn([3], g);
        using var first = torch.randn([3], new Generator(7));
        Assert.That(next.data<float>().ToArray(), Is.EqualTo(first.data<float>().ToArray()), "the generator was not advanced");
    }

    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void ScalesOutsideZeroToOneAreInvalid(double scale) => Assert.That(OffsetNoise.IsValidScale(scale), Is.False);

    [TestCase(0.0)]
    [TestCase(0.1)]
    [TestCase(1.0)]
    public void ScalesFromZeroToOneAreValid(double scale) => Assert.That(OffsetNoise.IsValidScale(scale), Is.True);
}
