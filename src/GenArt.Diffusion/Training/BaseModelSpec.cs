using System.Text.Json.Nodes;

namespace GenArt.Diffusion.Training;

/// <summary>The diffusers configs of the model to train (unet/, vae/, text_encoder/ config.json and the
/// scheduler config), as read from a folder laid out like the exported model.</summary>
public sealed record BaseModelSpec(string UnetConfigJson, string VaeConfigJson, string TextEncoderConfigJson, string SchedulerConfigJson)
{
    /// <summary>Reads <c>unet/config.json</c>, <c>vae/config.json</c>, <c>text_encoder/config.json</c> and
    /// <c>scheduler/scheduler_config.json</c> under <paramref name="folder"/>.</summary>
    public static BaseModelSpec FromFolder(string folder) => new(
        File.ReadAllText(Path.Combine(folder, "unet", "config.json")),
        File.ReadAllText(Path.Combine(folder, "vae", "config.json")),
        File.ReadAllText(Path.Combine(folder, "text_encoder", "config.json")),
        File.ReadAllText(Path.Combine(folder, "scheduler", "scheduler_config.json")));

    /// <summary>The text encoder config with its vocabulary size and special-token ids set from a fitted tokenizer.</summary>
    public string TextEncoderConfigFor(int vocabSize, int bos, int eos, int maxLength)
    {
        var node = JsonNode.Parse(TextEncoderConfigJson)!.AsObject();
        node["vocab_size"] = vocabSize;
        node["bos_token_id"] = bos;
        node["eos_token_id"] = eos;
        node["pad_token_id"] = eos;
        node["max_position_embeddings"] = maxLength;
        return node.ToJsonString(new() { WriteIndented = true });
    }

    internal static string WithScalingFactor(string vaeConfigJson, double scalingFactor)
    {
        var node = JsonNode.Parse(vaeConfigJson)!.AsObject();
        node["scaling_factor"] = scalingFactor;
        return node.ToJsonString(new() { WriteIndented = true });
    }
}
