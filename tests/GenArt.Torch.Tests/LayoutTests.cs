using static GenArt.Torch.Tests.Expect;

namespace GenArt.Torch.Tests;

public class LayoutTests
{
    [Test]
    public void ViewsReshapesPermutesAndTransposes()
    {
        using var a = F([0, 1, 2, 3, 4, 5], 2, 3);
        using (var v = a.view(3, 2)) Values(v, [0, 1, 2, 3, 4, 5]);
        using var t = a.transpose(0, 1);
        Assert.That(t.is_contiguous(), Is.False);
        Values(t, [0, 3, 1, 4, 2, 5]);
        var e = Assert.Throws<TorchException>(() => t.view(6));
        Assert.That(e!.Op, Is.EqualTo("view"));
        using (var r = t.reshape(6)) Values(r, [0, 3, 1, 4, 2, 5]);
        using (var c = t.contiguous())
        {
            Assert.That(c.is_contiguous(), Is.True);
            using var v = c.view(6);
            Values(v, [0, 3, 1, 4, 2, 5]);
        }
        using var b = F([0, 1, 2, 3, 4, 5, 6, 7], 2, 2, 2);
        using (var p = b.permute(2, 0, 1)) Values(p, [0, 2, 4, 6, 1, 3, 5, 7]);
        using (var f = b.flatten(1)) Shape(f, 2, 4);
        using (var u = a.unsqueeze(0)) Shape(u, 1, 2, 3);
        using (var s = F([1, 2], 1, 2).squeeze(0)) Shape(s, 2);
        using (var x = F([1, 2], 2, 1).expand(2, 3)) Values(x, [1, 1, 1, 2, 2, 2]);
        using (var rp = F([1, 2]).repeat(2)) Values(rp, [1, 2, 1, 2]);
    }

    [Test]
    public void SlicesAndSelects()
    {
        using var a = F([0, 1, 2, 3, 4, 5], 2, 3);
        using (var s = a.slice(1, 1, 3)) Values(s, [1, 2, 4, 5]);
        using (var s = a.narrow(1, 0, 1)) Values(s, [0, 3]);
        using (var s = a.select(0, 1)) Values(s, [3, 4, 5]);
        using var idx = torch.tensor(new long[] { 2, 0 });
        using (var s = a.index_select(1, idx)) Values(s, [2, 0, 5, 3]);
        using var gidx = torch.tensor(new long[] { 1, 0 }, 2, 1);
        using (var g = a.gather(1, gidx)) Values(g, [1, 3]);
    }

    [Test]
    public void IndexAddAccumulatesRowsInPlaceInIndexOrder()
    {
        using var a = F([1, 2, 3, 4, 5, 6], 3, 2);
        using var rows = torch.tensor(new long[] { 2, 0, 2 });
        using var source = F([10, 20, 30, 40, 50, 60], 3, 2);
        var same = a.index_add_(0, rows, source);
        Assert.That(ReferenceEquals(same, a), Is.True);
        // row 0 gets source row 1; row 2 gets source rows 0 and 2; row 1 is untouched
        Values(a, [31, 42, 3, 4, 65, 86]);
        using var bad = torch.tensor(new long[] { 3 });
        using var one = F([1, 1], 1, 2);
        var e = Assert.Throws<TorchException>(() => a.index_add_(0, bad, one));
        Assert.That(e!.Op, Is.EqualTo("index_add_"));
        Values(a, [31, 42, 3, 4, 65, 86]);
    }

    [Test]
    public void CatsStacksChunksAndSplits()
    {
        using var a = F([1, 2], 1, 2);
        using var b = F([3, 4, 5, 6], 2, 2);
        using (var c = torch.cat([a, b])) { Shape(c, 3, 2); Values(c, [1, 2, 3, 4, 5, 6]); }
        using (var c = torch.cat([b, b], 1)) Values(c, [3, 4, 3, 4, 5, 6, 5, 6]);
        using (var s = torch.stack([a, a])) Shape(s, 2, 1, 2);
        Assert.Throws<TorchException>(() => torch.cat([a, F([1, 2, 3], 1, 3)]));
        using var x = F([0, 1, 2, 3, 4, 5, 6]);
        var parts = x.chunk(3);
        Assert.That(parts.Select(p => p.numel()), Is.EqualTo(new long[] { 3, 3, 1 }));
        Values(parts[2], [6]);
        foreach (var p in parts) p.Dispose();
        var split = x.split([2, 5]);
        Values(split[0], [0, 1]);
        Values(split[1], [2, 3, 4, 5, 6]);
        foreach (var p in split) p.Dispose();
        Assert.Throws<TorchException>(() => x.split([2, 2]));
    }

    [Test]
    public void LooksUpEmbeddings()
    {
        using var table = F([0, 0, 1, 1, 2, 2], 3, 2);
        using var ids = torch.tensor(new long[] { 2, 0, 2 }, 1, 3);
        using var e = torch.nn.functional.embedding(ids, table);
        Shape(e, 1, 3, 2);
        Values(e, [2, 2, 0, 0, 2, 2]);
        using var bad = torch.tensor(new long[] { 3 });
        Assert.Throws<TorchException>(() => torch.nn.functional.embedding(bad, table));
    }
}
