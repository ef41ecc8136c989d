using GenArt.Diffusion.Pipelines;

namespace GenArt.Diffusion.Adapters;

/// <summary>
/// Loaded adapters, least recently used first out, within a memory budget (bytes of adapter tensors). An adapter is
/// keyed by its file's sha256 and the model it was loaded for (on that model's device and dtype); the base model is
/// never reloaded or changed. Thread-safe.
/// </summary>
/// <remarks>
/// A lease pins its adapter while a batch uses it: eviction skips pinned adapters, so a batch whose adapters
/// together exceed the budget still runs, and the cache trims back to the budget as leases end.
/// </remarks>
public sealed class LoraCache : IDisposable
{
    private readonly Lock gate = new();
    private readonly LinkedList<Item> lru = new(); // most recently used first
    private readonly Dictionary<(StableDiffusionModel, string), LinkedListNode<Item>> items = [];
    private readonly Dictionary<StableDiffusionModel, BaseModelShapes> shapes = new(ReferenceEqualityComparer.Instance);
    private long sizeBytes;
    private bool disposed;

    public LoraCache(long budgetBytes)
    {
        if (budgetBytes < 0) throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, "the adapter cache budget must be >= 0 bytes");
        BudgetBytes = budgetBytes;
    }

    public long BudgetBytes { get; }

    /// <summary>Bytes of the adapters held now.</summary>
    public long SizeBytes
    {
        get { lock (gate) return sizeBytes; }
    }

    /// <summary>Adapters held now.</summary>
    public int Count
    {
        get { lock (gate) return items.Count; }
    }

    /// <summary>Files read since the cache was made (a hit reads nothing).</summary>
    public long Loads { get; private set; }

    /// <summary>Whether the adapter with this sha256 is loaded for <paramref name="model"/>.</summary>
    public bool Contains(StableDiffusionModel model, string sha256)
    {
        lock (gate) return items.ContainsKey((model, sha256));
    }

    /// <summary>
    /// The adapter of file <paramref name="path"/> (content hash <paramref name="sha256"/>) for <paramref name="model"/>,
    /// read and validated on a miss; pinned until the lease is disposed.
    /// </summary>
    /// <exception cref="LoraFormatException">The file does not fit the model.</exception>
    /// <exception cref="FileNotFoundException">The file is gone.</exception>
    public LoraLease Acquire(StableDiffusionModel model, string sha256, string path)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (items.TryGetValue((model, sha256), out var node))
            {
                lru.Remove(node);
                lru.AddFirst(node);
                node.Value.Pins++;
                return new LoraLease(this, node.Value);
            }
            if (!shapes.TryGetValue(model, out var modelShapes))
                shapes[model] = modelShapes = BaseModelShapes.FromModels(model.Unet, model.TextEncoder);
            // loading under the lock: one device's adapters load on its own thread anyway, and a second caller of the
            // same file must not read it twice
            var adapter = LoraAdapterFile.Load(path, modelShapes, model.Device, model.DType, sha256);
            Loads++;
            var item = new Item(model, sha256, adapter) { Pins = 1 };
            items[(model, sha256)] = lru.AddFirst(item);
            sizeBytes += adapter.SizeBytes;
            Trim();
            return new LoraLease(this, item);
        }
    }

    /// <summary>Drops every unpinned adapter of <paramref name="model"/> (when the model is unloaded).</summary>
    public void Forget(StableDiffusionModel model)
    {
        lock (gate)
        {
            foreach (var node in Nodes().Where(n => ReferenceEquals(n.Value.Model, model) && n.Value.Pins == 0).ToList()) Evict(node);
            shapes.Remove(model);
        }
    }

    internal void Release(Item item)
    {
        lock (gate)
        {
            item.Pins--;
            if (item.Pins == 0 && item.Evicted) item.Adapter.Dispose();
            Trim();
        }
    }

    private void Trim()
    {
        var node = lru.Last;
        while (sizeBytes > BudgetBytes && node is not null)
        {
            var previous = node.Previous;
            if (node.Value.Pins == 0) Evict(node);
            node = previous;
        }
    }

    private void Evict(LinkedListNode<Item> node)
    {
        var item = node.Value;
        lru.Remove(node);
        items.Remove((item.Model, item.Sha256));
        sizeBytes -= item.Adapter.SizeBytes;
        item.Evicted = true;
        if (item.Pins == 0) item.Adapter.Dispose();
    }

    private IEnumerable<LinkedListNode<Item>> Nodes()
    {
        for (var n = lru.First; n is not null; n = n.Next) yield return n;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            foreach (var node in Nodes().ToList()) Evict(node);
        }
    }

    internal sealed class Item(StableDiffusionModel model, string sha256, LoraAdapter adapter)
    {
        public StableDiffusionModel Model { get; } = model;
        public string Sha256 { get; } = sha256;
        public LoraAdapter Adapter { get; } = adapter;
        public int Pins { get; set; }
        public bool Evicted { get; set; }
    }
}

/// <summary>A loaded adapter, pinned in its <see cref="LoraCache"/> until disposed.</summary>
public sealed class LoraLease : IDisposable
{
    private readonly LoraCache cache;
    private readonly LoraCache.Item item;
    private bool released;

    internal LoraLease(LoraCache cache, LoraCache.Item item)
    {
        this.cache = cache;
        this.item = item;
    }

    public LoraAdapter Adapter => item.Adapter;

    public void Dispose()
    {
        if (released) return;
        released = true;
        cache.Release(item);
    }
}
