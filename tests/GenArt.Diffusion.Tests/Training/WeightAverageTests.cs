using GenArt.Diffusion.Training;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training;

public sealed class WeightAverageTests
{
    [Test]
    public void EachUpdateMovesTheAverageTheDecaysComplementTowardTheParameter()
    {
        using var p = torch.tensor(new float[] { 0, 10 }, 2);
        using var average = new WeightAverage([new("w", p)], 0.9);
        p.copy_(Tensor(1, 20));
        average.Update();
        Assert.That(Values(average), Is.EqualTo(new[] { 0.1f, 11f }).Within(1e-5));
        average.Update();
        Assert.That(Values(average), Is.EqualTo(new[] { 0.19f, 11.9f }).Within(1e-5));
        Assert.That(p.data<float>(), Is.EqualTo(new[] { 1f, 20f }), "updating leaves the parameter alone");

        average.CopyToParameters();
        Assert.That(p.data<float>(), Is.EqualTo(new[] { 0.19f, 11.9f }).Within(1e-5));
    }

    [Test]
    public void SavedAveragesLoadIntoAFreshAverageByName()
    {
        string path = Path.Combine(Path.GetTempPath(), "genart-average-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            using var a = torch.tensor(new float[] { 2, 4 }, 2);
            using var b = torch.tensor(new float[] { 8 }, 1);
            using (var average = new WeightAverage([new("a", a), new("b", b)], 0.5))
            {
                a.copy_(Tensor(4, 8));
                average.Update();
                average.Save(path);
            }
            using var fresh = new WeightAverage([new("b", b), new("a", a)], 0.5);
            Assert.That(Values(fresh), Is.EqualTo(new[] { 8f, 4f, 8f }), "a fresh average starts at the parameters");
            fresh.Load(path);
            Assert.That(Values(fresh), Is.EqualTo(new[] { 8f, 3f, 6f }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(-0.5)]
    [TestCase(double.NaN)]
    public void ADecayOutsideZeroToOneIsRefused(double decay)
    {
        using var p = torch.tensor(new float[] { 1 }, 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage([new("w", p)], decay));
        Assert.That(e!.ParamName, Is.EqualTo("decay"));
        if (decay != 0)
        {
            var o = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new TrainingOptions { AverageDecay = decay });
            Assert.That(o!.ParamName, Is.EqualTo(nameof(TrainingOptions.AverageDecay)));
        }
        else
        {
            Assert.That(new TrainingOptions { AverageDecay = 0 }.AverageDecay, Is.Zero, "0 turns averaging off");
        }
    }

    private static Tensor Tensor(params float[] values) => torch.tensor(values, values.Length);

    private static float[] Values(WeightAverage average) => average.Named.SelectMany(n => n.Value.data<float>()).ToArray();
}
