namespace GenArt.Torch.Tests;

public class DisposalTests
{
    [Test]
    public void ScopeDisposesWhatWasCreatedInside()
    {
        Tensor inner, kept;
        using (var scope = torch.NewDisposeScope())
        {
            inner = torch.ones([3]);
            (inner * 2.0).Dispose();
            kept = (inner + 1.0).MoveToOuterDisposeScope();
            Assert.That(scope.Count, Is.EqualTo(1), "only `inner` is left: the doubled tensor was disposed by hand, `kept` moved out");
        }
        Assert.That(inner.IsDisposed, Is.True);
        Assert.That(kept.IsDisposed, Is.False);
        Assert.That(kept.data<float>(), Is.EqualTo(new[] { 2f, 2f, 2f }));
        kept.Dispose();
    }

    [Test]
    public void MovingOutOfANestedScopeHandsTheTensorToTheEnclosingOne()
    {
        Tensor moved;
        using (var outer = torch.NewDisposeScope())
        {
            using (torch.NewDisposeScope())
            {
                moved = torch.zeros([2]).MoveToOuterDisposeScope();
            }
            Assert.That(moved.IsDisposed, Is.False);
            Assert.That(outer.Count, Is.EqualTo(1));
        }
        Assert.That(moved.IsDisposed, Is.True, "the outer scope owned it and disposed it");
    }

    [Test]
    public void DetachedTensorsBelongToTheCaller()
    {
        Tensor t;
        using (torch.NewDisposeScope())
            t = torch.zeros([2]).DetachFromDisposeScope();
        Assert.That(t.IsDisposed, Is.False);
        t.Dispose();
    }

    [Test]
    public void ScopesMustCloseInReverseOrder()
    {
        var a = torch.NewDisposeScope();
        var b = torch.NewDisposeScope();
        Assert.Throws<InvalidOperationException>(() => a.Dispose());
        b.Dispose();
        a.Dispose();
    }

    [Test]
    public void ScopesArePerThread()
    {
        using var scope = torch.NewDisposeScope();
        Tensor? fromOtherThread = null;
        var thread = new Thread(() => fromOtherThread = torch.zeros([1]));
        thread.Start();
        thread.Join();
        Assert.That(scope.Count, Is.EqualTo(0));
        fromOtherThread!.Dispose();
    }

    [Test]
    public void HundredThousandCreateDisposeCyclesKeepResidentMemoryFlat()
    {
        using var a = torch.ones([64]);
        void Cycles(int n)
        {
            for (int i = 0; i < n; i++)
            {
                using var t = torch.zeros([64]);
                using var u = t + a;
            }
            for (int i = 0; i < n / 10; i++)
            {
                using var scope = torch.NewDisposeScope();
                for (int j = 0; j < 10; j++) _ = torch.ones([64]) * 2.0;
            }
        }

        // The first cycles grow the managed heap to its working budget and fill libtorch's and glibc's pools
        // (about 16 MB here); after that, memory must stay where it is.
        Cycles(100_000);
        long start = SettledResidentBytes();
        Cycles(100_000);
        long end = SettledResidentBytes();
        TestContext.Out.WriteLine($"resident memory after warm-up {start >> 10} KiB, after 100k more cycles {end >> 10} KiB");
        // A leak of one 256-byte tensor per cycle alone would add 25 MB per 100k cycles (plus libtorch's TensorImpl).
        Assert.That(end - start, Is.LessThan(2L << 20));
    }

    private static long SettledResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return ResidentBytes();
    }

    private static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared ... in pages
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}
