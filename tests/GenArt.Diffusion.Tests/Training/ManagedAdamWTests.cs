using GenArt.Diffusion.Training;
using GenArt.Torch;

namespace GenArt.Diffusion.Tests.Training;

public sealed class ManagedAdamWTests
{
    // A small non-quadratic loss, so gradients change from step to step.
    private static void Backward(Tensor w, Tensor b, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x.matmul(w).add(b).tanh();
        y.square().sum().add(w.abs().sum().mul(0.1)).backward();
    }

    private static (Tensor W, Tensor B, Tensor X) Problem()
    {
        using var g = new Generator(7);
        var w = torch.randn([5, 3], g).DetachFromDisposeScope().requires_grad_();
        var b = torch.randn([3], g).DetachFromDisposeScope().requires_grad_();
        var x = torch.randn([4, 5], g).DetachFromDisposeScope();
        return (w, b, x);
    }

    [Test]
    public void MatchesLibtorchAdamWOverSeveralSteps()
    {
        var (w1, b1, x) = Problem();
        var (w2, b2, _) = Problem();
        using var reference = torch.optim.AdamW([w1, b1], lr: 0.05, weightDecay: 0.1);
        using var managed = new ManagedAdamW([new("w", w2), new("b", b2)], lr: 0.05, weightDecay: 0.1);
        for (int step = 0; step < 8; step++)
        {
            reference.zero_grad();
            Backward(w1, b1, x);
            reference.step();
            managed.ZeroGrad();
            Backward(w2, b2, x);
            managed.Update();
        }
        Assert.Multiple(() =>
        {
            Assert.That(Max(w1, w2), Is.LessThan(1e-6));
            Assert.That(Max(b1, b2), Is.LessThan(1e-6));
            Assert.That(Max(w1, Problem().W), Is.GreaterThan(0.1), "the parameters moved");
            Assert.That(managed.Step, Is.EqualTo(8));
        });
    }

    [Test]
    public void SavedStateResumesBitForBit()
    {
        string path = Path.Combine(Path.GetTempPath(), $"genart-adamw-{Guid.NewGuid():N}.safetensors");
        try
        {
            var (w1, b1, x) = Problem();
            using var straight = new ManagedAdamW([new("w", w1), new("b", b1)], lr: 0.05);
            for (int i = 0; i < 6; i++) Step(straight, w1, b1, x);

            var (w2, b2, _) = Problem();
            using (var first = new ManagedAdamW([new("w", w2), new("b", b2)], lr: 0.05))
            {
                for (int i = 0; i < 3; i++) Step(first, w2, b2, x);
                first.Save(path);
            }
            using var resumed = new ManagedAdamW([new("w", w2), new("b", b2)], lr: 0.05);
            resumed.Load(path);
            Assert.That(resumed.Step, Is.EqualTo(3));
            for (int i = 0; i < 3; i++) Step(resumed, w2, b2, x);
            Assert.Multiple(() =>
            {
                Assert.That(w2.data<float>(), Is.EqualTo(w1.data<float>()));
                Assert.That(b2.data<float>(), Is.EqualTo(b1.data<float>()));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void UpdateReportsTheGlobalGradientNorm()
    {
        var (w, b, x) = Problem();
        using var adam = new ManagedAdamW([new("w", w), new("b", b)], lr: 0.05);
        adam.ZeroGrad();
        Backward(w, b, x);
        double expected = Math.Sqrt(w.grad()!.data<float>().Concat(b.grad()!.data<float>()).Sum(v => (double)v * v));
        double norm = adam.Update(maxGradNorm: 1e-3);
        Assert.That(norm, Is.EqualTo(expected).Within(1e-5).Percent);
        Assert.That(norm, Is.GreaterThan(1e-3), "the gradient was clipped");
    }

    private static void Step(ManagedAdamW adam, Tensor w, Tensor b, Tensor x)
    {
        adam.ZeroGrad();
        Backward(w, b, x);
        adam.Update(maxGradNorm: 1.0);
    }

    private static double Max(Tensor a, Tensor b)
    {
        using var d = a.sub(b).abs().max();
        return d.item<float>();
    }
}
