using System.Text.Json;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

public sealed partial class StableDiffusionCheckpoint
{
    // model_index.json component -> (library, class) this loader can build.
    private static readonly (string Component, string Class)[] FolderComponents =
    [
        ("unet", "UNet2DConditionModel"), ("vae", "AutoencoderKL"), ("text_encoder", "CLIPTextModel"), ("tokenizer", "CLIPTokenizer"),
    ];

    private static StableDiffusionCheckpoint OpenFolder(string folder, CheckpointOptions options)
    {
        string indexPath = System.IO.Path.Combine(folder, "model_index.json");
        if (!File.Exists(indexPath))
            throw new CheckpointException(folder, "not a diffusers folder: model_index.json is missing");
        CheckModelIndex(indexPath);

        var owned = new List<IDisposable>();
        try
        {
            var unet = OpenComponent(folder, "unet", "diffusion_pytorch_model", options.Variant, owned);
            var vae = OpenComponent(folder, "vae", "diffusion_pytorch_model", options.Variant, owned);
            var textEncoder = OpenComponent(folder, "text_encoder", "model", options.Variant, owned);
            var textConfig = ClipTextConfig.FromJson(textEncoder.ConfigJson, System.IO.Path.Combine(folder, "text_encoder", "config.json"));

            string schedulerPath = System.IO.Path.Combine(folder, "scheduler", "scheduler_config.json");
            if (!File.Exists(schedulerPath)) throw new CheckpointException(schedulerPath, "missing");
            string tokenizer = System.IO.Path.Combine(folder, "tokenizer");
            if (!File.Exists(System.IO.Path.Combine(tokenizer, "vocab.json")) || !File.Exists(System.IO.Path.Combine(tokenizer, "merges.txt")))
                throw new CheckpointException(tokenizer, "a diffusers tokenizer folder needs vocab.json and merges.txt");

            var family = textConfig.HiddenAct == "gelu" ? StableDiffusionFamily.StableDiffusion2 : StableDiffusionFamily.StableDiffusion1;
            return new StableDiffusionCheckpoint(folder, CheckpointLayout.DiffusersFolder, family, unet, vae, textEncoder, textConfig,
                File.ReadAllText(schedulerPath), tokenizer, owned);
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    private static void CheckModelIndex(string indexPath)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new CheckpointException(indexPath, $"invalid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("text_encoder_2", out var second) && second.ValueKind == JsonValueKind.Array && second[0].ValueKind != JsonValueKind.Null)
                throw new CheckpointException(indexPath, "a second text encoder (SDXL) is not supported; only SD 1.x and 2.x pipelines are");
            foreach (var (component, cls) in FolderComponents)
            {
                if (!root.TryGetProperty(component, out var entry) || entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2)
                    throw new CheckpointException(indexPath, $"no \"{component}\" entry");
                string? actual = entry[1].ValueKind == JsonValueKind.String ? entry[1].GetString() : null;
                if (actual != cls)
                    throw new CheckpointException(indexPath, $"{component} is {actual ?? "null"}; this loader reads {cls}");
            }
        }
    }

    private static ModelComponent OpenComponent(string folder, string name, string stem, string? variant, List<IDisposable> owned)
    {
        string dir = System.IO.Path.Combine(folder, name);
        string configPath = System.IO.Path.Combine(dir, "config.json");
        if (!File.Exists(configPath)) throw new CheckpointException(configPath, "missing");
        var (files, index) = CheckpointFiles.ResolveWeights(dir, stem, variant);
        foreach (var file in files) CheckpointFiles.RefuseIfPickle(file);
        var source = new SafeTensorsSource([.. files]);
        owned.Add(source);
        if (index is not null) CheckpointFiles.CheckIndex(index, source);
        ITensorSource weights = name == "text_encoder" ? WithoutIgnoredTextKeys(source) : source;
        return new ModelComponent(name, File.ReadAllText(configPath), weights, files);
    }

    // transformers checkpoints may carry the position_ids buffer; it is no parameter, so the view hides it.
    private static ITensorSource WithoutIgnoredTextKeys(SafeTensorsSource source)
    {
        var map = new Dictionary<string, TensorMapping>(StringComparer.Ordinal);
        foreach (var name in source.Names)
        {
            if (ClipTextModel.IgnoredCheckpointKeys.Contains(name)) continue;
            source.TryGetShape(name, out var shape);
            map[name] = new TensorMapping(name, shape);
        }
        return new MappedTensorSource(source, map, source.Description);
    }
}
