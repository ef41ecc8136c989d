using GenArt.Diffusion.Pipelines;

namespace GenArt.Worker;

/// <summary>
/// The models a worker can run, by name, each loaded on first use and kept: loading reads every weight, so it
/// happens once per process, on the worker's thread (the device's thread).
/// </summary>
public sealed class ModelCache : IDisposable
{
    private readonly Dictionary<string, string> _paths;
    private readonly Func<string, StableDiffusionModel> _load;
    private readonly Dictionary<string, StableDiffusionModel> _loaded = [];
    private readonly Lock _gate = new();

    /// <param name="paths">Model name to diffusers folder or single-file checkpoint.</param>
    /// <param name="load">Loads one path; <see cref="StableDiffusionModel.Load"/> on the CPU when null.</param>
    public ModelCache(IReadOnlyDictionary<string, string> paths, Func<string, StableDiffusionModel>? load = null)
    {
        _paths = new Dictionary<string, string>(paths, StringComparer.Ordinal);
        _load = load ?? (p => StableDiffusionModel.Load(p));
    }

    /// <summary>Model names, as requests name them.</summary>
    public IReadOnlyCollection<string> Names => _paths.Keys;

    /// <summary>Model name for a folder or checkpoint path: the folder or file name without extension.</summary>
    public static string NameOf(string path) => Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path));

    /// <summary>Whether the model's weights are in memory now.</summary>
    public bool IsLoaded(string name)
    {
        lock (_gate) return _loaded.ContainsKey(name);
    }

    /// <summary>The loaded model; loads it on first use.</summary>
    /// <exception cref="KeyNotFoundException">No model has that name.</exception>
    public StableDiffusionModel Get(string name)
    {
        lock (_gate)
        {
            if (_loaded.TryGetValue(name, out var model)) return model;
            if (!_paths.TryGetValue(name, out var path)) throw new KeyNotFoundException($"model '{name}' is not configured on this worker");
            model = _load(path);
            _loaded[name] = model;
            return model;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var m in _loaded.Values) m.Dispose();
            _loaded.Clear();
        }
    }
}
