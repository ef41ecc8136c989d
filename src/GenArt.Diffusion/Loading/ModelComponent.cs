using System.Text.Json;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>
/// One model of a checkpoint: its config as diffusers/transformers would write it in <c>config.json</c>, and its
/// weights under the names that model's parameters have.
/// </summary>
/// <param name="Name">"unet", "vae" or "text_encoder".</param>
/// <param name="ConfigJson">config.json text: the folder's own file, or one inferred from a single file.</param>
/// <param name="Weights">Tensors by diffusers/transformers key (a renaming view for single files); owned by
/// the checkpoint.</param>
/// <param name="WeightFiles">The files the weights are read from.</param>
public sealed record ModelComponent(string Name, string ConfigJson, ITensorSource Weights, IReadOnlyList<string> WeightFiles)
{
    /// <summary>The config parsed (a fresh, independent element each call).</summary>
    public JsonElement Config
    {
        get
        {
            using var doc = JsonDocument.Parse(ConfigJson);
            return doc.RootElement.Clone();
        }
    }

    /// <summary>
    /// Loads the weights into <paramref name="model"/> converted to <paramref name="dtype"/> on
    /// <paramref name="device"/> (float16/bfloat16 files become float32 and so on). Every name and shape is
    /// checked first; the first missing or mismatched key fails naming the file, the model key, the checkpoint
    /// key behind it for single files, and both shapes. Keys the model does not have fail too.
    /// </summary>
    public void LoadInto(Module model, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string files = string.Join(", ", WeightFiles);
        var mapped = Weights as MappedTensorSource;
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in model.NamedParameters())
        {
            expected.Add(key);
            var want = tensor.shape;
            if (!Weights.TryGetShape(key, out var have))
                throw CheckpointException.MissingKey(files, key, null, want);
            if (!have.SequenceEqual(want))
                throw CheckpointException.ShapeMismatch(files, key, mapped?.SourceKeyOf(key), have, want);
        }
        var extra = Weights.Names.Where(n => !expected.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            string first = mapped?.SourceKeyOf(extra[0]) is { } source ? $"'{extra[0]}' (checkpoint key '{source}')" : $"'{extra[0]}'";
            throw new CheckpointException(files, $"{extra.Count} {Name} key(s) the model does not have, first {first}");
        }
        model.Load(Weights, dtype, device);
    }
}
