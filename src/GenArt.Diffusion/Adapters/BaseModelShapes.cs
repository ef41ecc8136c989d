using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Adapters;

/// <summary>
/// The layers an adapter may target, by module path, with their weight shapes: every Linear ([out, in]) and
/// Conv2d ([out, in, kh, kw]) of the UNet and of the text encoder. Enough to validate an adapter file without the
/// model's weights in memory.
/// </summary>
public sealed class BaseModelShapes
{
    private readonly Dictionary<string, long[]> unet;
    private readonly Dictionary<string, long[]> textEncoder;

    public BaseModelShapes(IReadOnlyDictionary<string, long[]> unet, IReadOnlyDictionary<string, long[]> textEncoder)
    {
        this.unet = new Dictionary<string, long[]>(unet, StringComparer.Ordinal);
        this.textEncoder = new Dictionary<string, long[]>(textEncoder, StringComparer.Ordinal);
        foreach (var (name, shape) in this.unet.Concat(this.textEncoder))
            if (shape.Length is not (2 or 4))
                throw new ArgumentException($"layer '{name}' has a weight of shape [{string.Join(", ", shape)}]: only Linear [out, in] and Conv2d [out, in, kh, kw] layers can be adapted");
    }

    /// <summary>UNet layers by module path.</summary>
    public IReadOnlyDictionary<string, long[]> Unet => unet;

    /// <summary>Text-encoder layers by module path (e.g. <c>text_model.encoder.layers.0.mlp.fc1</c>).</summary>
    public IReadOnlyDictionary<string, long[]> TextEncoder => textEncoder;

    /// <summary>The layers of <paramref name="component"/>.</summary>
    public IReadOnlyDictionary<string, long[]> Of(LoraComponent component) => component == LoraComponent.Unet ? unet : textEncoder;

    /// <summary>
    /// Reads the shapes from a diffusers folder's safetensors headers (<c>unet/</c> and <c>text_encoder/</c>, plain,
    /// sharded or single-variant files); no weight is read. Every 2-D and 4-D <c>*.weight</c> is a layer, except the
    /// text encoder's token and position embeddings.
    /// </summary>
    /// <exception cref="CheckpointException">The folder lacks a component's weights, or holds pickles.</exception>
    public static BaseModelShapes FromModelFolder(string diffusersDir)
    {
        if (!Directory.Exists(diffusersDir)) throw new DirectoryNotFoundException($"{diffusersDir}: no such model folder");
        return new BaseModelShapes(
            ReadHeaders(Path.Combine(diffusersDir, "unet"), "diffusion_pytorch_model"),
            ReadHeaders(Path.Combine(diffusersDir, "text_encoder"), "model"));
    }

    /// <summary>The shapes of loaded models (layers found by type, not by name).</summary>
    public static BaseModelShapes FromModels(UNet2DConditionModel unet, ClipTextModel? textEncoder)
    {
        return new BaseModelShapes(LayersOf(unet).ToDictionary(l => l.Key, l => WeightOf(l.Value).shape, StringComparer.Ordinal),
            textEncoder is null ? new Dictionary<string, long[]>()
                : LayersOf(textEncoder).ToDictionary(l => l.Key, l => WeightOf(l.Value).shape, StringComparer.Ordinal));
    }

    /// <summary>The Linear and Conv2d layers of <paramref name="model"/> by module path.</summary>
    internal static IEnumerable<KeyValuePair<string, Module>> LayersOf(Module model) =>
        model.NamedModules().Where(m => m.Value is Linear or Conv2d);

    internal static GenArt.Torch.Tensor WeightOf(Module layer) => layer switch
    {
        Linear l => l.Weight,
        Conv2d c => c.Weight,
        _ => throw new ArgumentException($"{layer.GetType().Name} is not an adaptable layer"),
    };

    private static Dictionary<string, long[]> ReadHeaders(string folder, string stem)
    {
        var (files, _) = CheckpointFiles.ResolveWeights(folder, stem, null);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var path in files)
        {
            CheckpointFiles.RefuseIfPickle(path);
            using var file = SafeTensorsFile.Open(path);
            foreach (var info in file.Tensors)
            {
                if (!info.Name.EndsWith(".weight", StringComparison.Ordinal) || info.Shape.Length is not (2 or 4)) continue;
                string module = info.Name[..^".weight".Length];
                if (module.EndsWith("embedding", StringComparison.Ordinal)) continue; // token / position embeddings
                shapes[module] = info.Shape;
            }
        }
        return shapes;
    }
}
