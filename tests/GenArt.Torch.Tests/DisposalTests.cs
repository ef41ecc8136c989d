using System.Runtime.InteropServices;
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
        // within the first 200k cycles). Then five phases of 100k cycles, each measured twice:
        // - bytes the C heap has handed out (glibc's mallinfo2: what libtorch and the shim allocate). A leak
        //   grows it in every phase: one leaked 32-byte chunk per cycle adds 3.2 MB a phase, one per dispose
        //   scope 320 KB. The runtime's own threads (JIT, thread pool, the test host) also malloc and free, in
        //   one-off bursts of a few hundred KB either way that land in one phase and not the others, so it is
        //   the median phase that is held to under a byte per cycle;
        // - resident memory, which must stay flat within the few MB that arenas and the managed heap wobble by
        //   (one leaked 64-float tensor per cycle would add over 100 MB).
        Cycles(200_000);
        long rssStart = SettledResidentBytes();
        var heap = new List<long> { MallocInUse() };
        var rss = new List<long>();
        for (int phase = 0; phase < 5; phase++)
        {
            Cycles(100_000);
            rss.Add(SettledResidentBytes());
            heap.Add(MallocInUse());
        }
        var heapGrowth = heap.Zip(heap.Skip(1), (before, after) => after - before).ToList();
        TestContext.Out.WriteLine($"C heap in use {heap[0] >> 10} KiB, then growth per 100k cycles {string.Join(", ", heapGrowth.Select(g => $"{g >> 10}"))} KiB; resident {rssStart >> 10} KiB, then {string.Join(", ", rss.Select(r => $"{r >> 10}"))} KiB");
        double heapPerCycle = heapGrowth.Order().ElementAt(2) / 100_000.0;
        Assert.That(heapPerCycle, Is.LessThan(1), $"the C heap grew {heapPerCycle:F2} bytes per cycle in the median phase");
        long rssGrowth = rss.Max() - rssStart;
        Assert.That(rssGrowth, Is.LessThan(16L << 20), $"resident memory grew {rssGrowth >> 10} KiB over 500k cycles");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    /// <summary>Bytes allocated with malloc and not freed: in arenas plus in mmapped chunks (glibc).</summary>
    private static long MallocInUse()
    {
        var info = MallInfo();
        return (long)(info.UordBlks + info.HBlkHd);
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
