using System.Text.Json.Nodes;
using GenArt.Torch;
using GenArt.Torch.Modules;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Loading;

/// <summary>Writes a Stable Diffusion model as a diffusers folder (model_index.json, unet/, vae/, text_encoder/,
/// tokenizer/, scheduler/) that diffusers' from_pretrained and <see cref="StableDiffusionCheckpoint"/> both read.</summary>
public static class DiffusersFolderWriter
{
    public sealed record Component(string ConfigJson, Module Model);

    /// <param name="tokenizerFolder">A folder holding vocab.json and merges.txt (plus optional tokenizer configs), copied.</param>
    /// <param name="dtype">The weights' type on disk (float32, or float16 / bfloat16 to halve the size).</param>
    public static void Save(string folder, Component unet, Component vae, Component textEncoder, string tokenizerFolder,
        string schedulerConfigJson, ScalarType dtype = ScalarType.Float32)
    {
        Directory.CreateDirectory(folder);
        string schedulerClass = JsonNode.Parse(schedulerConfigJson)?["_class_name"]?.GetValue<string>() ?? "PNDMScheduler";
        var index = new JsonObject
        {
            ["_class_name"] = "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.30.0",
            ["feature_extractor"] = new JsonArray(null, null),
            ["requires_safety_checker"] = false,
            ["safety_checker"] = new JsonArray(null, null),
            ["scheduler"] = new JsonArray("diffusers", schedulerClass),
            ["text_encoder"] = new JsonArray("transformers", "CLIPTextModel"),
            ["tokenizer"] = new JsonArray("transformers", "CLIPTokenizer"),
            ["unet"] = new JsonArray("diffusers", "UNet2DConditionModel"),
            ["vae"] = new JsonArray("diffusers", "AutoencoderKL"),
        };
        File.WriteAllText(Path.Combine(folder, "model_index.json"), index.ToJsonString(new() { WriteIndented = true }));
        WriteComponent(Path.Combine(folder, "unet"), "diffusion_pytorch_model.safetensors", unet, dtype);
        WriteComponent(Path.Combine(folder, "vae"), "diffusion_pytorch_model.safetensors", vae, dtype);
        WriteComponent(Path.Combine(folder, "text_encoder"), "model.safetensors", textEncoder, dtype);
        Directory.CreateDirectory(Path.Combine(folder, "scheduler"));
        File.WriteAllText(Path.Combine(folder, "scheduler", "scheduler_config.json"), schedulerConfigJson);

        string tokenizer = Path.Combine(folder, "tokenizer");
        Directory.CreateDirectory(tokenizer);
        foreach (var name in new[] { "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json" })
        {
            string source = Path.Combine(tokenizerFolder, name);
            if (File.Exists(source)) File.Copy(source, Path.Combine(tokenizer, name), overwrite: true);
            else if (name is "vocab.json" or "merges.txt") throw new FileNotFoundException($"{source}: a tokenizer folder needs {name}", source);
        }
    }

    private static void WriteComponent(string folder, string weightsFile, Component component, ScalarType dtype)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), component.ConfigJson);
        var converted = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, t) in component.Model.NamedParameters())
                converted[name] = t.to(Device.CPU, dtype, copy: true).DetachFromDisposeScope();
            SafeTensorsWriter.Save(Path.Combine(folder, weightsFile), converted, new Dictionary<string, string> { ["format"] = "pt" });
        }
        finally
        {
            foreach (var t in converted.Values) t.Dispose();
        }
    }
}
