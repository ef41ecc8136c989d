using System.Collections.Concurrent;
using GenArt.Diffusion.Adapters;
using GenArt.Server.Adapters;

namespace GenArt.Cli;

/// <summary>
/// Checks uploaded adapters with the engine's LoRA parser against the layer shapes of the server's models, read once
/// per model from the safetensors headers of its diffusers folder (no weights are loaded).
/// </summary>
public sealed class LoraAdapterInspector(IReadOnlyDictionary<string, string> modelPaths) : IAdapterInspector
{
    private const int KeysShown = 5;
    private readonly ConcurrentDictionary<string, Lazy<BaseModelShapes>> _shapes = new(StringComparer.Ordinal);

    public AdapterInspection Inspect(string path, string baseModel)
    {
        var shapes = _shapes.GetOrAdd(baseModel, name => new Lazy<BaseModelShapes>(() => Load(name))).Value;
        try
        {
            var summary = LoraAdapterFile.Inspect(path, shapes);
            return new AdapterInspection(summary.FormatName, summary.Rank, summary.Alpha, summary.TargetCount);
        }
        catch (LoraFormatException e)
        {
            // The engine's message names the file's path, a temporary file of the server: the client gets the
            // problem and the keys at fault, with the path taken out.
            string keys = e.Keys.Count == 0 ? ""
                : $" ({e.Keys.Count} key(s): {string.Join(", ", e.Keys.Take(KeysShown))}{(e.Keys.Count > KeysShown ? ", ..." : "")})";
            throw new AdapterRejectedException(e.Problem.Replace(path, "the file", StringComparison.Ordinal) + keys, e);
        }
    }

    private BaseModelShapes Load(string name)
    {
        if (!modelPaths.TryGetValue(name, out var path)) throw new NotSupportedException($"no files are known for model '{name}'");
        if (!Directory.Exists(path))
            throw new NotSupportedException($"model '{name}' is a single-file checkpoint; adapters are checked against diffusers folders only");
        return BaseModelShapes.FromModelFolder(path);
    }
}
