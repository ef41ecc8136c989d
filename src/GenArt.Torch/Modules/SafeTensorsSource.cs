using GenArt.Torch.SafeTensors;

namespace GenArt.Torch.Modules;

/// <summary>A tensor source over one or more safetensors files (sharded checkpoints); a name must be unique
/// across them. Owns the files.</summary>
public sealed class SafeTensorsSource : ITensorSource, IDisposable
{
    private readonly List<SafeTensorsFile> files = [];
    private readonly Dictionary<string, SafeTensorsFile> byName = new(StringComparer.Ordinal);

    public SafeTensorsSource(params string[] paths)
    {
        try
        {
            foreach (var path in paths)
            {
                var file = SafeTensorsFile.Open(path);
                files.Add(file);
                foreach (var name in file.Names)
                {
                    if (!byName.TryAdd(name, file))
                        throw new InvalidDataException($"tensor '{name}' appears in both {byName[name].Path} and {path}");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Description = string.Join(", ", paths);
    }

    public string Description { get; }

    public IEnumerable<string> Names => byName.Keys;

    /// <summary>__metadata__ of the first file.</summary>
    public IReadOnlyDictionary<string, string> Metadata => files.Count > 0 ? files[0].Metadata : new Dictionary<string, string>();

    public bool TryGetShape(string name, out long[] shape)
    {
        if (byName.TryGetValue(name, out var file))
        {
            shape = file.Info(name).Shape;
            return true;
        }
        shape = [];
        return false;
    }

    public ScalarType DTypeOf(string name) => byName[name].Info(name).DType;

    public Tensor Load(string name, ScalarType dtype, Device device) => byName[name].Load(name, device, dtype);

    public void Dispose()
    {
        foreach (var f in files) f.Dispose();
        files.Clear();
    }
}
