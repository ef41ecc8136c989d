namespace GenArt.Torch.Modules;

/// <summary>Named tensors to load weights from: a safetensors file, several of them, a renaming view of one,
/// or tensors in memory.</summary>
public interface ITensorSource
{
    /// <summary>Where the tensors come from, for error messages.</summary>
    string Description { get; }

    IEnumerable<string> Names { get; }

    bool TryGetShape(string name, out long[] shape);

    /// <summary>Reads the tensor <paramref name="name"/> converted to the given type and device.</summary>
    Tensor Load(string name, ScalarType dtype, Device device);
}

/// <summary>A source over tensors held in memory (not owned: the caller disposes them).</summary>
public sealed class DictionaryTensorSource(IReadOnlyDictionary<string, Tensor> tensors, string description = "tensors in memory") : ITensorSource
{
    public string Description => description;

    public IEnumerable<string> Names => tensors.Keys;

    public bool TryGetShape(string name, out long[] shape)
    {
        if (tensors.TryGetValue(name, out var t))
        {
            shape = t.shape;
            return true;
        }
        shape = [];
        return false;
    }

    public Tensor Load(string name, ScalarType dtype, Device device) => tensors[name].to(device, dtype, copy: true);
}
