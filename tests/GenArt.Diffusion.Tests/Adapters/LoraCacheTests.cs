using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Tests.Models;

namespace GenArt.Diffusion.Tests.Adapters;

[TestFixture]
public sealed class LoraCacheTests
{
    private StableDiffusionModel model = null!;
    private string temp = null!;
    private string[] files = null!;

    [OneTimeSetUp]
    public void Setup()
    {
        model = StableDiffusionModel.Load(ModelFixtures.Golden("pipeline"));
        temp = LoraFiles.TempFolder();
        var shapes = BaseModelShapes.FromModelFolder(ModelFixtures.Golden("pipeline"));
        files = Enumerable.Range(0, 3).Select(i => RandomLora.Write(Path.Combine(temp, $"{i}.safetensors"), shapes, seed: (ulong)(20 + i))).ToArray();
    }

    [OneTimeTearDown]
    public void Release()
    {
        model.Dispose();
        Directory.Delete(temp, true);
    }

    private long OneSize()
    {
        using var c = new LoraCache(long.MaxValue);
        using var l = c.Acquire(model, "x", files[0]);
        return l.Adapter.SizeBytes;
    }

    [Test]
    public void HitsReadNothingAndTheLeastRecentlyUsedGoesFirst()
    {
        long size = OneSize();
        using var cache = new LoraCache(2 * size + size / 2); // room for two
        var weightsBefore = model.Unet.StateDict().ToDictionary(p => p.Key, p => p.Value.clone());
        LoraAdapter first;
        using (var l = cache.Acquire(model, "s0", files[0])) first = l.Adapter;
        using (var l = cache.Acquire(model, "s1", files[1])) { }
        using (var l = cache.Acquire(model, "s0", files[0])) Assert.That(l.Adapter, Is.SameAs(first));
        Assert.That(cache.Loads, Is.EqualTo(2));
        using (var l = cache.Acquire(model, "s2", files[2])) { }
        Assert.That(cache.Contains(model, "s1"), Is.False, "s1 was the least recently used");
        Assert.That(cache.Contains(model, "s0") && cache.Contains(model, "s2"), Is.True);
        Assert.That(cache.SizeBytes, Is.LessThanOrEqualTo(cache.BudgetBytes));
        Assert.That(cache.Loads, Is.EqualTo(3));
        foreach (var (name, t) in model.Unet.StateDict()) Assert.That(t.equal(weightsBefore[name]), Is.True, $"{name} changed");
        foreach (var t in weightsBefore.Values) t.Dispose();
    }

    [Test]
    public void PinnedAdaptersOutliveEvictionAndAreFreedWhenReleased()
    {
        long size = OneSize();
        using var cache = new LoraCache(size); // room for one
        var l0 = cache.Acquire(model, "p0", files[0]);
        var l1 = cache.Acquire(model, "p1", files[1]);
        Assert.That(cache.Count, Is.EqualTo(2), "both are pinned: the budget is exceeded while a batch uses them");
        Assert.That(l0.Adapter.IsDisposed || l1.Adapter.IsDisposed, Is.False);
        l0.Dispose();
        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(l0.Adapter.IsDisposed, Is.True, "released and over budget: freed");
        l1.Dispose();
        Assert.That(cache.Contains(model, "p1"), Is.True);
        Assert.That(l1.Adapter.IsDisposed, Is.False);
    }

    [Test]
    public void BadFilesFailWithoutEnteringTheCache()
    {
        using var cache = new LoraCache(long.MaxValue);
        string pickle = Path.Combine(temp, "bad.pt");
        File.WriteAllBytes(pickle, [0x80, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Throws<LoraFormatException>(() => cache.Acquire(model, "bad", pickle));
        Assert.Throws<FileNotFoundException>(() => cache.Acquire(model, "gone", Path.Combine(temp, "gone.safetensors")));
        Assert.That(cache.Count, Is.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LoraCache(-1));
    }
}
