using GenArt.Torch;

namespace GenArt.Diffusion.Adapters;

/// <summary>One adapted layer's weights: down [r, in] (Linear) or [r, in, kh, kw] (Conv2d), up [out, r].</summary>
public sealed class LoraLayerWeights : IDisposable
{
    internal LoraLayerWeights(LoraTarget target, Tensor down, Tensor up)
    {
        Target = target;
        Down = down;
        Up = up;
    }

    public LoraTarget Target { get; }
    public Tensor Down { get; }
    public Tensor Up { get; }

    /// <summary>alpha / r: the layer adds scale * Multiplier * up(down(x)).</summary>
    public double Multiplier => Target.Alpha / Target.Rank;

    public void Dispose()
    {
        Down.Dispose();
        Up.Dispose();
    }
}

/// <summary>A loaded, validated adapter: its layers' tensors, never merged into the base weights.</summary>
public sealed class LoraAdapter : IDisposable
{
    private bool disposed;

    internal LoraAdapter(string id, LoraSummary summary, IReadOnlyList<LoraLayerWeights> layers)
    {
        Id = id;
        Summary = summary;
        Layers = layers;
        SizeBytes = layers.Sum(l => l.Down.numel() * l.Down.dtype.ElementSize() + l.Up.numel() * l.Up.dtype.ElementSize());
    }

    /// <summary>What the adapter is known by (the worker's cache uses the file's sha256).</summary>
    public string Id { get; }

    public LoraSummary Summary { get; }

    public IReadOnlyList<LoraLayerWeights> Layers { get; }

    /// <summary>Bytes of its tensors.</summary>
    public long SizeBytes { get; }

    public bool IsDisposed => disposed;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var l in Layers) l.Dispose();
    }
}
