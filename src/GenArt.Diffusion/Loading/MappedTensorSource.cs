using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>How one model tensor is read from a checkpoint tensor.</summary>
/// <param name="SourceKey">The checkpoint key.</param>
/// <param name="Shape">The shape the model sees.</param>
/// <param name="ChunkIndex">For a fused tensor split along dim 0 into <paramref name="ChunkCount"/> equal parts
/// (OpenCLIP's in_proj holding q, k and v): the part; otherwise 0.</param>
/// <param name="ChunkCount">1 when the tensor is used whole (possibly reshaped, e.g. a 1x1 conv to a linear).</param>
public sealed record TensorMapping(string SourceKey, long[] Shape, int ChunkIndex = 0, int ChunkCount = 1);

/// <summary>
/// A renaming and reshaping view of another tensor source: it exposes model key names (diffusers and transformers
/// names) and reads each from its checkpoint key, so <see cref="Module.Load"/> works unchanged on original-layout
/// checkpoints. Values are copied bit for bit; only the dtype conversion asked for by the loader changes them.
/// </summary>
public sealed class MappedTensorSource : ITensorSource
{
    private readonly ITensorSource inner;
    private readonly IReadOnlyDictionary<string, TensorMapping> map;

    public MappedTensorSource(ITensorSource inner, IReadOnlyDictionary<string, TensorMapping> map, string description)
    {
        this.inner = inner;
        this.map = map;
        Description = description;
    }

    public string Description { get; }

    public IEnumerable<string> Names => map.Keys;

    public IReadOnlyDictionary<string, TensorMapping> Mappings => map;

    /// <summary>The checkpoint key behind a model key, or null when the view has no such key.</summary>
    public string? SourceKeyOf(string name) => map.TryGetValue(name, out var m) ? m.SourceKey : null;

    public bool TryGetShape(string name, out long[] shape)
    {
        if (map.TryGetValue(name, out var m))
        {
            shape = m.Shape;
            return true;
        }
        shape = [];
        return false;
    }

    public Tensor Load(string name, ScalarType dtype, Device device)
    {
        if (!map.TryGetValue(name, out var m))
            throw new KeyNotFoundException($"{Description}: no tensor named '{name}'");
        var whole = inner.Load(m.SourceKey, dtype, device);
        using (whole)
        {
            if (m.ChunkCount == 1) return whole.reshape(m.Shape);
            long rows = whole.size(0) / m.ChunkCount;
            using var part = whole.narrow(0, rows * m.ChunkIndex, rows);
            // A copy, so the part does not keep the whole fused tensor's storage alive.
            using var owned = part.clone();
            return owned.reshape(m.Shape);
        }
    }
}
