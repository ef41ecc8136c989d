using static GenArt.Torch.Tests.Expect;

namespace GenArt.Torch.Tests;

public class ErrorTests
{
    [Test]
    public void ConvShapeMismatchRaisesLibtorchsMessageAndTheProcessGoesOn()
    {
        using var x = torch.zeros([1, 3, 8, 8]);
        using var w = torch.zeros([4, 5, 3, 3]);
        var e = Assert.Throws<TorchException>(() => torch.nn.functional.conv2d(x, w));
        Assert.That(e!.Op, Is.EqualTo("conv2d"));
        // libtorch's own wording: "Given groups=1, weight of size [4, 5, 3, 3], expected input[1, 3, 8, 8] to have 5 channels ..."
        Assert.That(e.NativeMessage, Does.Contain("weight of size [4, 5, 3, 3]").And.Contain("to have 5 channels"));
        Assert.That(e.NativeMessage, Does.Not.Contain("frame #"), "the C++ backtrace is left out");

        using var ok = torch.nn.functional.conv2d(x, torch.zeros([4, 3, 3, 3]));
        Shape(ok, 1, 4, 6, 6);
    }

    [Test]
    public void EveryFailureIsReportedOnceAndNotCarriedIntoTheNextCall()
    {
        using var a = torch.zeros([2, 3]);
        using var b = torch.zeros([4, 5]);
        for (int i = 0; i < 1000; i++)
            Assert.Throws<TorchException>(() => a.matmul(b));
        using var c = a.matmul(torch.zeros([3, 1]));
        Shape(c, 2, 1);
        using var g = a.grad();
        Assert.That(g, Is.Null, "a tensor without a gradient reports none, not a stale error");
    }

    [Test]
    public void FailuresOnOtherThreadsStayOnThoseThreads()
    {
        var errors = new TorchException?[4];
        var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            using var a = torch.zeros([i + 1, 2]);
            try
            {
                a.matmul(torch.zeros([3, 3])).Dispose();
            }
            catch (TorchException e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        for (int i = 0; i < 4; i++)
            Assert.That(errors[i]!.NativeMessage, Does.Contain($"{i + 1}x2 and 3x3"));
    }

    [Test]
    public void UsingADisposedTensorIsAnObjectDisposedException()
    {
        var t = torch.zeros([2]);
        t.Dispose();
        t.Dispose();
        Assert.That(t.IsDisposed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => t.add(1.0));
    }

    [Test]
    public void AskingForTheWrongElementTypeIsAClearError()
    {
        using var t = torch.zeros([2]);
        var e = Assert.Throws<ArgumentException>(() => t.data<long>());
        Assert.That(e!.Message, Does.Contain("Float32").And.Contain("Int64"));
    }
}
