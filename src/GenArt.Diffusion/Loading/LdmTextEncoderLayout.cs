using System.Globalization;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

/// <summary>
/// Maps the text encoder of an original-layout checkpoint to transformers' CLIPTextModel names and reads its
/// config from tensor shapes: SD 1.x stores a transformers CLIPTextModel under
/// <c>cond_stage_model.transformer.</c>; SD 2.x stores OpenCLIP's text tower under <c>cond_stage_model.model.</c>.
/// </summary>
/// <remarks>
/// Head counts cannot be read from shapes; both CLIP ViT-L/14 and OpenCLIP ViT-H/14 use 64 dimensions per
/// head, which is assumed. OpenCLIP fuses q, k and v into one <c>in_proj</c> [3·hidden, hidden] (split in that
/// order), and SD 2.x conditions on its penultimate block, so the last resblock is left out, as diffusers'
/// <c>convert_open_clip_checkpoint</c> does. Its text_projection and logit_scale are not part of CLIPTextModel.
/// </remarks>
internal static class LdmTextEncoderLayout
{
    public const string TransformersPrefix = "cond_stage_model.transformer.";
    public const string OpenClipPrefix = "cond_stage_model.model.";
    private const int HeadDim = 64;

    public static bool HasTransformers(ITensorSource source) => source.Names.Any(n => n.StartsWith(TransformersPrefix, StringComparison.Ordinal));

    public static bool HasOpenClip(ITensorSource source) => source.Names.Any(n => n.StartsWith(OpenClipPrefix, StringComparison.Ordinal));

    /// <summary>SD 1.x: the transformers keys behind a prefix (older exports lack the <c>text_model.</c> level).</summary>
    public static (Dictionary<string, TensorMapping> Map, ClipTextConfig Config) AnalyzeTransformers(ITensorSource source, string path)
    {
        var map = new Dictionary<string, TensorMapping>(StringComparer.Ordinal);
        foreach (var name in source.Names.Where(n => n.StartsWith(TransformersPrefix, StringComparison.Ordinal)))
        {
            string local = name[TransformersPrefix.Length..];
            if (!local.StartsWith("text_model.", StringComparison.Ordinal)) local = "text_model." + local;
            if (ClipTextModel.IgnoredCheckpointKeys.Contains(local)) continue;
            source.TryGetShape(name, out var shape);
            if (!map.TryAdd(local, new TensorMapping(name, shape)))
                throw new CheckpointException(path, $"keys '{map[local].SourceKey}' and '{name}' both map to '{local}'");
        }
        var config = InferConfig(map, path, "quick_gelu");
        return (map, config);
    }

    /// <summary>SD 2.x: OpenCLIP names renamed, in_proj split, the last resblock dropped.</summary>
    public static (Dictionary<string, TensorMapping> Map, ClipTextConfig Config) AnalyzeOpenClip(ITensorSource source, string path)
    {
        var names = source.Names.Where(n => n.StartsWith(OpenClipPrefix, StringComparison.Ordinal)).ToList();
        int blocks = names
            .Select(n => n[OpenClipPrefix.Length..].Split('.'))
            .Where(p => p.Length > 3 && p[0] == "transformer" && p[1] == "resblocks")
            .Select(p => int.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i + 1 : 0)
            .DefaultIfEmpty(0)
            .Max();
        if (blocks < 2)
            throw new CheckpointException(path, $"the OpenCLIP text encoder under '{OpenClipPrefix}' has {blocks} resblock(s); at least 2 are needed (the last one is not used)");

        var map = new Dictionary<string, TensorMapping>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            source.TryGetShape(name, out var shape);
            foreach (var (target, mapping) in Rename(name, name[OpenClipPrefix.Length..], shape, blocks - 1, path))
                if (!map.TryAdd(target, mapping))
                    throw new CheckpointException(path, $"keys '{map[target].SourceKey}' and '{name}' both map to '{target}'");
        }
        var config = InferConfig(map, path, "gelu");
        return (map, config);
    }

    private static IEnumerable<(string, TensorMapping)> Rename(string name, string local, long[] shape, int keptBlocks, string path)
    {
        switch (local)
        {
            case "token_embedding.weight":
                yield return ("text_model.embeddings.token_embedding.weight", new(name, shape));
                yield break;
            case "positional_embedding":
                yield return ("text_model.embeddings.position_embedding.weight", new(name, shape));
                yield break;
            case "ln_final.weight" or "ln_final.bias":
                yield return ("text_model.final_layer_norm." + local["ln_final.".Length..], new(name, shape));
                yield break;
            case "text_projection" or "logit_scale" or "attn_mask":
                yield break;
        }
        var p = local.Split('.');
        if (p.Length < 5 || p[0] != "transformer" || p[1] != "resblocks" || !int.TryParse(p[2], NumberStyles.None, CultureInfo.InvariantCulture, out int block))
            throw new CheckpointException(path, $"unrecognised OpenCLIP text encoder key '{name}'");
        if (block >= keptBlocks) yield break;
        string layer = $"text_model.encoder.layers.{block}.";
        string rest = string.Join('.', p[3..]);
        switch (rest)
        {
            case "attn.in_proj_weight" or "attn.in_proj_bias":
                string suffix = rest.EndsWith("weight", StringComparison.Ordinal) ? "weight" : "bias";
                if (shape[0] % 3 != 0)
                    throw new CheckpointException(path, $"key '{name}' has shape {CheckpointException.Shape(shape)}; its first dimension must hold q, k and v");
                long[] part = [shape[0] / 3, .. shape[1..]];
                string[] heads = ["q_proj", "k_proj", "v_proj"];
                for (int i = 0; i < 3; i++)
                    yield return ($"{layer}self_attn.{heads[i]}.{suffix}", new(name, part, i, 3));
                yield break;
        }
        string? renamed = p[3] switch
        {
            "ln_1" => "layer_norm1." + string.Join('.', p[4..]),
            "ln_2" => "layer_norm2." + string.Join('.', p[4..]),
            "attn" when p[4] == "out_proj" => "self_attn." + string.Join('.', p[4..]),
            "mlp" when p[4] == "c_fc" => "mlp.fc1." + string.Join('.', p[5..]),
            "mlp" when p[4] == "c_proj" => "mlp.fc2." + string.Join('.', p[5..]),
            _ => null,
        };
        if (renamed is null)
            throw new CheckpointException(path, $"unrecognised OpenCLIP text encoder key '{name}'");
        yield return (layer + renamed, new(name, shape));
    }

    private static ClipTextConfig InferConfig(Dictionary<string, TensorMapping> map, string path, string activation)
    {
        long[] Shape(string key) => map.TryGetValue(key, out var m)
            ? m.Shape
            : throw new CheckpointException(path, $"missing text encoder key for '{key}', needed to infer its config");
        var token = Shape("text_model.embeddings.token_embedding.weight");
        int layers = map.Keys
            .Where(k => k.StartsWith("text_model.encoder.layers.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[3], CultureInfo.InvariantCulture) + 1)
            .DefaultIfEmpty(0)
            .Max();
        int hidden = (int)token[1];
        var config = ClipTextConfig.StableDiffusion1 with
        {
            VocabSize = (int)token[0],
            HiddenSize = hidden,
            MaxPositionEmbeddings = (int)Shape("text_model.embeddings.position_embedding.weight")[0],
            NumHiddenLayers = layers,
            IntermediateSize = (int)Shape("text_model.encoder.layers.0.mlp.fc1.weight")[0],
            NumAttentionHeads = Math.Max(1, hidden / HeadDim),
            HiddenAct = activation,
        };
        config.Validate($"{path} (text encoder config inferred from shapes)");
        return config;
    }
}
