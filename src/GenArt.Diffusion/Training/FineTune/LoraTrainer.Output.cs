using System.Globalization;
using System.Text.Json.Nodes;
using GenArt.Torch;
using GenArt.Torch.SafeTensors;

namespace GenArt.Diffusion.Training.FineTune;

public sealed partial class LoraTrainer
{
    /// <summary>
    /// Writes the adapter as a diffusers-layout safetensors file (<c>unet.{module}.lora_A.weight</c> /
    /// <c>lora_B.weight</c>, <c>text_encoder.…</c>), float32, with rank and alpha in the <c>lora_adapter_metadata</c>
    /// header entry that <see cref="Adapters.LoraAdapterFile"/> reads, and the fine-tune's facts under
    /// <c>genart.*</c> (<see cref="FineTuneAdapterInfo"/>). Written to a temporary file and renamed over
    /// <paramref name="path"/>.
    /// </summary>
    public void SaveAdapter(string path)
    {
        var adapterMetadata = new JsonObject();
        foreach (var (component, prefix) in new[] { (Adapters.LoraComponent.Unet, "unet."), (Adapters.LoraComponent.TextEncoder, "text_encoder.") })
        {
            var modules = layers.Where(l => l.Target.Component == component).Select(l => l.Target.Module).ToList();
            if (modules.Count == 0) continue;
            adapterMetadata[prefix + "r"] = Spec.Rank;
            adapterMetadata[prefix + "lora_alpha"] = Spec.Alpha;
            adapterMetadata[prefix + "target_modules"] = new JsonArray(modules.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["lora_adapter_metadata"] = adapterMetadata.ToJsonString(),
            [FineTuneAdapterInfo.BaseModelKey] = Spec.BaseModel,
            [FineTuneAdapterInfo.TriggerWordKey] = Spec.TriggerWord,
            [FineTuneAdapterInfo.RankKey] = Spec.Rank.ToString(CultureInfo.InvariantCulture),
            [FineTuneAdapterInfo.AlphaKey] = Spec.Alpha.ToString("R", CultureInfo.InvariantCulture),
            [FineTuneAdapterInfo.StepsKey] = Step.ToString(CultureInfo.InvariantCulture),
            [FineTuneAdapterInfo.SeedKey] = Spec.Seed.ToString(CultureInfo.InvariantCulture),
            [FineTuneAdapterInfo.ResolutionKey] = examples[0].Size.ToString(CultureInfo.InvariantCulture),
        };
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string scratch = full + ".partial";
        using (torch.no_grad()) SafeTensorsWriter.Save(scratch, named, metadata);
        File.Move(scratch, full, overwrite: true);
    }
}

/// <summary>The fine-tune facts a trained adapter file carries in its header.</summary>
public sealed record FineTuneAdapterInfo(string BaseModel, string TriggerWord, int Rank, double Alpha, long Steps, ulong Seed, int Resolution)
{
    internal const string BaseModelKey = "genart.base_model";
    internal const string TriggerWordKey = "genart.trigger_word";
    internal const string RankKey = "genart.rank";
    internal const string AlphaKey = "genart.alpha";
    internal const string StepsKey = "genart.steps";
    internal const string SeedKey = "genart.seed";
    internal const string ResolutionKey = "genart.resolution";

    /// <summary>Reads the header of an adapter written by <see cref="LoraTrainer.SaveAdapter"/>.</summary>
    /// <exception cref="FormatException">The file lacks a <c>genart.*</c> entry or one does not parse.</exception>
    public static FineTuneAdapterInfo Read(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        var m = file.Metadata;
        string Get(string key) => m.TryGetValue(key, out var v) ? v : throw new FormatException($"{path}: no '{key}' in the header metadata");
        T Parse<T>(string key) where T : IParsable<T> =>
            T.TryParse(Get(key), CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{path}: '{key}' is not a valid {typeof(T).Name}");
        return new FineTuneAdapterInfo(Get(BaseModelKey), Get(TriggerWordKey), Parse<int>(RankKey), Parse<double>(AlphaKey),
            Parse<long>(StepsKey), Parse<ulong>(SeedKey), Parse<int>(ResolutionKey));
    }
}
