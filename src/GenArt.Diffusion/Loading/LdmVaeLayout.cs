using System.Globalization;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>What the VAE tensors of an original (CompVis/LDM) checkpoint say about its architecture.</summary>
internal sealed record LdmVaeShape(
    int InChannels,
    int OutChannels,
    int LatentChannels,
    int LayersPerBlock,
    IReadOnlyList<int> BlockOutChannels,
    bool MidBlockHasAttention,
    bool UseQuantConv,
    bool UsePostQuantConv);

/// <summary>
/// Maps the VAE of an original-layout checkpoint (<c>first_stage_model.*</c>) to diffusers' AutoencoderKL names,
/// as diffusers' <c>convert_ldm_vae_checkpoint</c> does.
/// </summary>
/// <remarks>
/// The LDM decoder numbers its levels from the lowest resolution up (<c>decoder.up.0</c> is the last to run),
/// diffusers from the first to run, so level b becomes up_blocks[levels - 1 - b]. The mid-block attention keeps
/// q, k, v and proj_out as 1x1 convolutions [C, C, 1, 1]; diffusers holds them as linear layers [C, C].
/// Training-only tensors under <c>first_stage_model.loss.</c> (the discriminator) are not part of the model and
/// are skipped.
/// </remarks>
internal static class LdmVaeLayout
{
    public const string Prefix = "first_stage_model.";

    private static readonly (string Ldm, string Diffusers)[] AttentionParts =
        [("norm", "group_norm"), ("q", "to_q"), ("k", "to_k"), ("v", "to_v"), ("proj_out", "to_out.0")];

    public static (Dictionary<string, TensorMapping> Map, LdmVaeShape Shape) Analyze(ITensorSource source, string path)
    {
        var keys = source.Names
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && !n.StartsWith(Prefix + "loss.", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .ToList();
        if (keys.Count == 0)
            throw new CheckpointException(path, $"no VAE tensors (no key starts with '{Prefix}')");
        int levels = Levels(keys, "decoder.up.");
        var map = new Dictionary<string, TensorMapping>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            source.TryGetShape(Prefix + key, out var shape);
            var (target, linear) = Rename(key, levels);
            if (target is null)
                throw new CheckpointException(path, $"unrecognised VAE key '{Prefix}{key}' (not part of an SD 1.x/2.x AutoencoderKL)");
            if (linear && shape.Length > 2)
            {
                if (shape.Skip(2).Any(d => d != 1))
                    throw new CheckpointException(path, $"key '{Prefix}{key}' has shape {CheckpointException.Shape(shape)}; a 1x1 convolution [C, C, 1, 1] was expected");
                shape = shape[..2];
            }
            if (!map.TryAdd(target, new TensorMapping(Prefix + key, shape)))
                throw new CheckpointException(path, $"keys '{map[target].SourceKey}' and '{Prefix}{key}' both map to '{target}'");
        }
        return (map, ReadShape(source, path, keys));
    }

    /// <returns>The diffusers key (null when unknown) and whether the weight becomes a linear layer.</returns>
    private static (string? Key, bool Linear) Rename(string key, int levels)
    {
        var parts = key.Split('.');
        string Tail(int from) => string.Join('.', parts[from..]);
        if (parts[0] is "quant_conv" or "post_quant_conv") return (key, false);
        if (parts[0] is not ("encoder" or "decoder") || parts.Length < 3) return (null, false);
        string side = parts[0];
        switch (parts[1])
        {
            case "conv_in" or "conv_out":
                return (key, false);
            case "norm_out":
                return ($"{side}.conv_norm_out.{Tail(2)}", false);
            case "mid" when parts.Length >= 4:
                if (parts[2] is "block_1" or "block_2")
                    return ($"{side}.mid_block.resnets.{(parts[2] == "block_1" ? 0 : 1)}.{Resnet(Tail(3))}", false);
                if (parts[2] != "attn_1") return (null, false);
                foreach (var (ldm, diffusers) in AttentionParts)
                    if (parts[3] == ldm && parts.Length == 5)
                        return ($"{side}.mid_block.attentions.0.{diffusers}.{parts[4]}", ldm != "norm" && parts[4] == "weight");
                return (null, false);
            case "down" or "up" when parts.Length >= 5:
            {
                if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int level)) return (null, false);
                string block = side == "encoder" ? $"encoder.down_blocks.{level}" : $"decoder.up_blocks.{levels - 1 - level}";
                if ((side, parts[1]) is not (("encoder", "down") or ("decoder", "up"))) return (null, false);
                if (parts[3] == "block" && parts.Length >= 6)
                    return ($"{block}.resnets.{parts[4]}.{Resnet(Tail(5))}", false);
                if (parts[3] is "downsample" or "upsample" && parts[4] == "conv")
                    return ($"{block}.{(parts[3] == "downsample" ? "downsamplers" : "upsamplers")}.0.conv.{Tail(5)}", false);
                return (null, false);
            }
            default:
                return (null, false);
        }
    }

    private static string Resnet(string tail) =>
        tail.StartsWith("nin_shortcut.", StringComparison.Ordinal) ? "conv_shortcut" + tail["nin_shortcut".Length..] : tail;

    private static int Levels(IEnumerable<string> keys, string prefix) => keys
        .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
        .Select(k => int.TryParse(k.Split('.')[2], NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i + 1 : 0)
        .DefaultIfEmpty(0)
        .Max();

    private static LdmVaeShape ReadShape(ITensorSource source, string path, List<string> keys)
    {
        long[] Shape(string key) => source.TryGetShape(Prefix + key, out var s)
            ? s
            : throw new CheckpointException(path, $"missing key '{Prefix}{key}', needed to infer the VAE config");
        int levels = Levels(keys, "encoder.down.");
        var channels = Enumerable.Range(0, levels).Select(b => (int)Shape($"encoder.down.{b}.block.0.conv1.weight")[0]).ToList();
        int perBlock = keys.Where(k => k.StartsWith("encoder.down.0.block.", StringComparison.Ordinal)).Select(k => k.Split('.')[4]).Distinct().Count();
        return new LdmVaeShape(
            InChannels: (int)Shape("encoder.conv_in.weight")[1],
            OutChannels: (int)Shape("decoder.conv_out.weight")[0],
            LatentChannels: (int)Shape("decoder.conv_in.weight")[1],
            LayersPerBlock: perBlock,
            BlockOutChannels: channels,
            MidBlockHasAttention: keys.Contains("encoder.mid.attn_1.q.weight"),
            UseQuantConv: keys.Contains("quant_conv.weight"),
            UsePostQuantConv: keys.Contains("post_quant_conv.weight"));
    }
}
