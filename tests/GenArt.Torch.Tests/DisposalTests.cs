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

        // The first cycles fill libtorch's and glibc's pools and let the JIT finish tiering up (5-16 MB here,
        // within the first 200k cycles). After that, resident memory only wobbles by a few MB as malloc arenas
        // come and go; a leak grows it linearly. Measure over 400k further cycles.
        Cycles(200_000);
        long start = SettledResidentBytes();
        var readings = new List<long>();
        for (int phase = 0; phase < 4; phase++)
        {
            Cycles(100_000);
            readings.Add(SettledResidentBytes());
        }
        TestContext.Out.WriteLine($"resident memory after warm-up {start >> 10} KiB, after each further 100k cycles: {string.Join(", ", readings.Select(r => $"{r >> 10} KiB"))}");
        // One leaked 64-float tensor per cycle would add over 90 MB between the readings compared (256 B of data plus the TensorImpl);
        // even a leaked 32-byte string per cycle would add 6.4 MB over the 200k cycles compared.
        // The wobbles are upward spikes, so compare the lower of the first two readings with the lower of the
        // last two: at least 200k cycles apart.
        double bytesPerCycle = (Math.Min(readings[2], readings[3]) - Math.Min(start, readings[0])) / 200_000.0;
        Assert.That(bytesPerCycle, Is.LessThan(16), $"resident memory grew {bytesPerCycle:F1} bytes per cycle");
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
