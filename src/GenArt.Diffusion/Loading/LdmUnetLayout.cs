using System.Globalization;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>What the UNet tensors of an original (CompVis/LDM) checkpoint say about its architecture.</summary>
internal sealed record LdmUnetShape(
    int InChannels,
    int OutChannels,
    int LayersPerBlock,
    IReadOnlyList<int> BlockOutChannels,
    IReadOnlyList<bool> DownBlockHasAttention,
    IReadOnlyList<bool> UpBlockHasAttention,
    int TransformerLayersPerBlock,
    int CrossAttentionDim,
    bool UseLinearProjection);

/// <summary>
/// Maps the UNet of an original-layout checkpoint (<c>model.diffusion_model.*</c>) to diffusers'
/// UNet2DConditionModel names, as diffusers' <c>convert_ldm_unet_checkpoint</c> does, and reads the
/// architecture from tensor shapes.
/// </summary>
/// <remarks>
/// The LDM UNet numbers its blocks flat: <c>input_blocks.i</c> holds, per resolution level b, layers_per_block
/// (resnet, attention) pairs followed by one downsampler (none after the last level); <c>output_blocks.i</c>
/// holds layers_per_block + 1 (resnet, attention) pairs per level with the upsampler after the last pair's
/// attention. Attention internals (transformer_blocks, proj_in ...) already carry diffusers' names.
/// </remarks>
internal static class LdmUnetLayout
{
    public const string Prefix = "model.diffusion_model.";

    private static readonly (string Ldm, string Diffusers)[] ResnetParts =
    [
        ("in_layers.0", "norm1"), ("in_layers.2", "conv1"), ("out_layers.0", "norm2"), ("out_layers.3", "conv2"),
        ("emb_layers.1", "time_emb_proj"), ("skip_connection", "conv_shortcut"),
    ];

    public static (Dictionary<string, TensorMapping> Map, LdmUnetShape Shape) Analyze(ITensorSource source, string path)
    {
        var keys = source.Names.Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).ToList();
        if (keys.Count == 0)
            throw new CheckpointException(path, $"no UNet tensors (no key starts with '{Prefix}'); this is not a Stable Diffusion single-file checkpoint");
        if (keys.Any(k => k.StartsWith("label_emb.", StringComparison.Ordinal)))
            throw new CheckpointException(path, $"'{Prefix}label_emb.*' marks a class-conditioned UNet (SDXL and relatives), which is not supported; only SD 1.x and 2.x single files are");

        int layersPerBlock = LayersPerBlock(keys, path);
        var map = new Dictionary<string, TensorMapping>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            string target = Rename(key, layersPerBlock)
                ?? throw new CheckpointException(path, $"unrecognised UNet key '{Prefix}{key}' (not part of an SD 1.x/2.x UNet)");
            source.TryGetShape(Prefix + key, out var shape);
            if (!map.TryAdd(target, new TensorMapping(Prefix + key, shape)))
                throw new CheckpointException(path, $"keys '{map[target].SourceKey}' and '{Prefix}{key}' both map to '{target}'");
        }
        return (map, ReadShape(source, path, layersPerBlock));
    }

    // The first downsampler sits right after the first level's layers; with a single level there is none.
    private static int LayersPerBlock(List<string> keys, string path)
    {
        var inputIndices = keys.Where(k => k.StartsWith("input_blocks.", StringComparison.Ordinal)).Select(k => Index(k, 1)).Where(i => i > 0).ToList();
        if (inputIndices.Count == 0) throw new CheckpointException(path, $"no '{Prefix}input_blocks.*' tensors");
        var downsamplers = keys.Where(k => k.StartsWith("input_blocks.", StringComparison.Ordinal) && k.Split('.') is { Length: > 4 } p && p[3] == "op").Select(k => Index(k, 1)).ToList();
        return downsamplers.Count > 0 ? downsamplers.Min() - 1 : inputIndices.Max();
    }

    private static string? Rename(string key, int perBlock)
    {
        var parts = key.Split('.');
        string Tail(int from) => string.Join('.', parts[from..]);
        switch (parts[0])
        {
            case "time_embed" when parts.Length == 3 && parts[1] is "0" or "2":
                return $"time_embedding.linear_{(parts[1] == "0" ? 1 : 2)}.{parts[2]}";
            case "out" when parts.Length == 3 && parts[1] is "0" or "2":
                return (parts[1] == "0" ? "conv_norm_out." : "conv_out.") + parts[2];
            case "input_blocks" when parts.Length >= 4:
            {
                int i = Index(key, 1);
                if (i < 0) return null;
                if (i == 0) return parts[2] == "0" ? "conv_in." + Tail(3) : null;
                int level = (i - 1) / (perBlock + 1), j = (i - 1) % (perBlock + 1);
                if (j == perBlock)
                    return parts[2] == "0" && parts[3] == "op" ? $"down_blocks.{level}.downsamplers.0.conv.{Tail(4)}" : null;
                return parts[2] switch
                {
                    "0" => Resnet($"down_blocks.{level}.resnets.{j}.", Tail(3)),
                    "1" => $"down_blocks.{level}.attentions.{j}.{Tail(3)}",
                    _ => null,
                };
            }
            case "middle_block" when parts.Length >= 4:
                return parts[1] switch
                {
                    "0" => Resnet("mid_block.resnets.0.", Tail(2)),
                    "1" => "mid_block.attentions.0." + Tail(2),
                    "2" => Resnet("mid_block.resnets.1.", Tail(2)),
                    _ => null,
                };
            case "output_blocks" when parts.Length >= 4:
            {
                int i = Index(key, 1);
                if (i < 0) return null;
                int level = i / (perBlock + 1), j = i % (perBlock + 1);
                if (parts[2] == "0") return Resnet($"up_blocks.{level}.resnets.{j}.", Tail(3));
                if (parts[3] == "conv") return $"up_blocks.{level}.upsamplers.0.conv.{Tail(4)}";
                return parts[2] == "1" ? $"up_blocks.{level}.attentions.{j}.{Tail(3)}" : null;
            }
            default:
                return null;
        }
    }

    private static string? Resnet(string prefix, string tail)
    {
        foreach (var (ldm, diffusers) in ResnetParts)
            if (tail.StartsWith(ldm + ".", StringComparison.Ordinal))
                return prefix + diffusers + tail[ldm.Length..];
        return null;
    }

    private static LdmUnetShape ReadShape(ITensorSource source, string path, int perBlock)
    {
        long[] Shape(string key) => source.TryGetShape(Prefix + key, out var s)
            ? s
            : throw new CheckpointException(path, $"missing key '{Prefix}{key}', needed to infer the UNet config");
        bool Has(string key) => source.TryGetShape(Prefix + key, out _);

        int levels = source.Names.Count(n => n.StartsWith(Prefix + "input_blocks.", StringComparison.Ordinal) && n.EndsWith(".0.op.weight", StringComparison.Ordinal)) + 1;
        var channels = new List<int>();
        var down = new List<bool>();
        var up = new List<bool>();
        for (int b = 0; b < levels; b++)
        {
            int first = 1 + b * (perBlock + 1);
            channels.Add((int)Shape($"input_blocks.{first}.0.out_layers.3.weight")[0]);
            down.Add(Has($"input_blocks.{first}.1.proj_in.weight"));
            up.Add(Has($"output_blocks.{b * (perBlock + 1)}.1.proj_in.weight"));
        }
        if (!Has("middle_block.1.proj_in.weight"))
            throw new CheckpointException(path, $"missing key '{Prefix}middle_block.1.proj_in.weight': only UNets with a cross-attention mid-block (SD 1.x/2.x) are supported");

        string attention = "middle_block.1.";
        int depth = source.Names
            .Where(n => n.StartsWith(Prefix + attention + "transformer_blocks.", StringComparison.Ordinal))
            .Select(n => Index(n[(Prefix + attention).Length..], 1))
            .Max() + 1;
        return new LdmUnetShape(
            InChannels: (int)Shape("input_blocks.0.0.weight")[1],
            OutChannels: (int)Shape("out.2.weight")[0],
            LayersPerBlock: perBlock,
            BlockOutChannels: channels,
            DownBlockHasAttention: down,
            UpBlockHasAttention: up,
            TransformerLayersPerBlock: depth,
            CrossAttentionDim: (int)Shape(attention + "transformer_blocks.0.attn2.to_k.weight")[1],
            UseLinearProjection: Shape(attention + "proj_in.weight").Length == 2);
    }

    private static int Index(string key, int segment) =>
        int.TryParse(key.Split('.')[segment], NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : -1;
}
