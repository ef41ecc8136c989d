using GenArt.Diffusion.Tests.Models;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Tests.Adapters;

/// <summary>The golden LoRA files and helpers that write variants of them to a temporary folder.</summary>
internal static class LoraFiles
{
    public static string Kohya => ModelFixtures.Golden("lora/lora_kohya.safetensors");
    public static string DiffusersPeft => ModelFixtures.Golden("lora/lora_diffusers_peft.safetensors");
    public static string Conversion => ModelFixtures.Golden("lora/lora_conversion.json");
    public static string Pipeline => ModelFixtures.Golden("pipeline");

    /// <summary>Every tensor of <paramref name="path"/> with its key passed through <paramref name="rename"/> (null drops it).</summary>
    public static Dictionary<string, Tensor> Read(string path, Func<string, string?>? rename = null)
    {
        using var file = SafeTensorsFile.Open(path);
        var all = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in file.Names)
        {
            var key = rename is null ? name : rename(name);
            if (key is not null) all[key] = file.Load(name);
        }
        return all;
    }

    public static string Write(string folder, string name, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string path = Path.Combine(folder, name);
        SafeTensorsWriter.Save(path, tensors, metadata);
        foreach (var t in tensors.Values) t.Dispose();
        return path;
    }

    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "genart-lora-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
