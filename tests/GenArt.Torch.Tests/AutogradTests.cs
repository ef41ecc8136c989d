using static GenArt.Torch.Tests.Expect;
using F_ = GenArt.Torch.torch.nn.functional;

namespace GenArt.Torch.Tests;

public class AutogradTests
{
    [Test]
    public void BackwardComputesGradients()
    {
        using var x = F([1, 2, 3]).requires_grad_();
        using var y = (x * x).sum();
        y.backward();
        using var g = x.grad();
        Assert.That(g, Is.Not.Null);
        Values(g!, [2, 4, 6]);
        x.zero_grad();
        using var none = x.grad();
        Assert.That(none, Is.Null);
    }

    [Test]
    public void NoGradAndInferenceModeStopTracking()
    {
        using var w = F([1, 2]).requires_grad_();
        using (torch.no_grad())
        {
            Assert.That(torch.is_grad_enabled(), Is.False);
            using var y = w * 2.0;
            Assert.That(y.requires_grad, Is.False);
            using (torch.enable_grad())
            {
                using var z = w * 2.0;
                Assert.That(z.requires_grad, Is.True);
            }
        }
        Assert.That(torch.is_grad_enabled(), Is.True);
        using (torch.inference_mode())
        {
            using var y = w * 2.0;
            Assert.That(y.requires_grad, Is.False);
        }
        using var tracked = w * 2.0;
        Assert.That(tracked.requires_grad, Is.True);
    }

    [Test]
    public void BackwardOfANonScalarWithoutGradientIsAnError()
    {
        using var x = F([1, 2]).requires_grad_();
        using var y = x * 3.0;
        var e = Assert.Throws<TorchException>(() => y.backward());
        Assert.That(e!.Op, Is.EqualTo("backward"));
        Assert.That(e.NativeMessage, Does.Contain("scalar"));
    }

    [Test]
    public void SmallMlpTrainedWithAdamWFitsAFixedRegression()
    {
        // y = sin(2x) + 0.5x on 64 points in [-1, 1]; a 1-32-32-1 SiLU MLP.
        using var g = new Generator(1234);
        using var x = torch.linspace(-1, 1, 64).view(64, 1);
        using var target = (x * 2.0).sin() + x * 0.5;
        var w1 = (torch.randn([32, 1], g) * 1.0).requires_grad_();
        var b1 = torch.zeros([32]).requires_grad_();
        var w2 = (torch.randn([32, 32], g) * (1 / Math.Sqrt(32))).requires_grad_();
        var b2 = torch.zeros([32]).requires_grad_();
        var w3 = (torch.randn([1, 32], g) * (1 / Math.Sqrt(32))).requires_grad_();
        var b3 = torch.zeros([1]).requires_grad_();
        Tensor[] parameters = [w1, b1, w2, b2, w3, b3];
        using var opt = torch.optim.AdamW(parameters, lr: 1e-2, weightDecay: 0);

        float first = 0, last = 0;
        for (int step = 0; step < 1500; step++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var h = F_.linear(x, w1, b1).silu();
            h = F_.linear(h, w2, b2).silu();
            var pred = F_.linear(h, w3, b3);
            var loss = F_.mse_loss(pred, target);
            loss.backward();
            opt.step();
            last = loss.item<float>();
            if (step == 0) first = last;
        }
        TestContext.Out.WriteLine($"loss {first} -> {last}");
        Assert.That(last, Is.LessThan(1e-3));
        Assert.That(first, Is.GreaterThan(10 * last));
        foreach (var p in parameters) p.Dispose();
    }

    [Test]
    public void AdamWChangesTheLearningRate()
    {
        using var w = F([1]).requires_grad_();
        using var opt = torch.optim.AdamW([w], lr: 0.1, weightDecay: 0);
        using (var loss = (w * w).sum()) loss.backward();
        opt.step();
        // Adam's first step moves each weight by lr * sign(gradient).
        Assert.That(w.item<float>(), Is.EqualTo(0.9f).Within(1e-5));
        opt.set_lr(0.01);
        opt.zero_grad();
        using (var loss = (w * w).sum()) loss.backward();
        opt.step();
        Assert.That(opt.LearningRate, Is.EqualTo(0.01));
        Assert.That(w.item<float>(), Is.EqualTo(0.89f).Within(1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.optim.AdamW([w], lr: 0));
    }
}
