using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Tests.Loading;

/// <summary>
/// Key names and shapes of original-layout (LDM) Stable Diffusion checkpoints, written out from the CompVis
/// model structure, so full-size SD 1.5 and 2.1 layouts can be checked without their gigabytes. The generator
/// is itself checked against the golden single file.
/// </summary>
internal static class LdmShapes
{
    public static Dictionary<string, long[]> Unet(int[] channels, bool[] attention, int perBlock, int crossDim, bool linear)
    {
        var s = new Dictionary<string, long[]>(StringComparer.Ordinal);
        const string p = "model.diffusion_model.";
        long c0 = channels[0], emb = 4 * c0;
        Conv(s, p + "input_blocks.0.0", c0, 4, 3);
        Lin(s, p + "time_embed.0", emb, c0);
        Lin(s, p + "time_embed.2", emb, emb);
        var skips = new Stack<long>([c0]);
        long prev = c0;
        for (int b = 0; b < channels.Length; b++)
        {
            for (int j = 0; j < perBlock; j++)
            {
                int i = 1 + b * (perBlock + 1) + j;
                Resnet(s, $"{p}input_blocks.{i}.0.", prev, channels[b], emb);
                if (attention[b]) Attention(s, $"{p}input_blocks.{i}.1.", channels[b], crossDim, linear);
                prev = channels[b];
                skips.Push(prev);
            }
            if (b == channels.Length - 1) continue;
            Conv(s, $"{p}input_blocks.{1 + b * (perBlock + 1) + perBlock}.0.op", prev, prev, 3);
            skips.Push(prev);
        }
        Resnet(s, p + "middle_block.0.", prev, prev, emb);
        Attention(s, p + "middle_block.1.", prev, crossDim, linear);
        Resnet(s, p + "middle_block.2.", prev, prev, emb);
        for (int u = 0; u < channels.Length; u++)
        {
            int b = channels.Length - 1 - u;
            for (int j = 0; j <= perBlock; j++)
            {
                int i = u * (perBlock + 1) + j;
                Resnet(s, $"{p}output_blocks.{i}.0.", prev + skips.Pop(), channels[b], emb);
                prev = channels[b];
                if (attention[b]) Attention(s, $"{p}output_blocks.{i}.1.", prev, crossDim, linear);
                if (j == perBlock && b > 0) Conv(s, $"{p}output_blocks.{i}.{(attention[b] ? 2 : 1)}.conv", prev, prev, 3);
            }
        }
        Norm(s, p + "out.0", c0);
        Conv(s, p + "out.2", 4, c0, 3);
        return s;
    }

    public static Dictionary<string, long[]> Vae(int[] channels, int perBlock)
    {
        var s = new Dictionary<string, long[]>(StringComparer.Ordinal);
        const string p = "first_stage_model.";
        long top = channels[^1];
        Conv(s, p + "encoder.conv_in", channels[0], 3, 3);
        long prev = channels[0];
        for (int b = 0; b < channels.Length; b++)
        {
            for (int j = 0; j < perBlock; j++)
            {
                VaeResnet(s, $"{p}encoder.down.{b}.block.{j}.", prev, channels[b]);
                prev = channels[b];
            }
            if (b < channels.Length - 1) Conv(s, $"{p}encoder.down.{b}.downsample.conv", prev, prev, 3);
        }
        foreach (var side in new[] { "encoder", "decoder" })
        {
            VaeResnet(s, $"{p}{side}.mid.block_1.", top, top);
            Norm(s, $"{p}{side}.mid.attn_1.norm", top);
            foreach (var part in new[] { "q", "k", "v", "proj_out" }) Conv(s, $"{p}{side}.mid.attn_1.{part}", top, top, 1);
            VaeResnet(s, $"{p}{side}.mid.block_2.", top, top);
        }
        Norm(s, p + "encoder.norm_out", top);
        Conv(s, p + "encoder.conv_out", 8, top, 3);
        Conv(s, p + "quant_conv", 8, 8, 1);
        Conv(s, p + "post_quant_conv", 4, 4, 1);
        Conv(s, p + "decoder.conv_in", top, 4, 3);
        prev = top;
        for (int b = channels.Length - 1; b >= 0; b--)
        {
            for (int j = 0; j <= perBlock; j++)
            {
                VaeResnet(s, $"{p}decoder.up.{b}.block.{j}.", prev, channels[b]);
                prev = channels[b];
            }
            if (b > 0) Conv(s, $"{p}decoder.up.{b}.upsample.conv", prev, prev, 3);
        }
        Norm(s, p + "decoder.norm_out", channels[0]);
        Conv(s, p + "decoder.conv_out", 3, channels[0], 3);
        return s;
    }

    /// <summary>SD 1.x: transformers CLIPTextModel keys under cond_stage_model.transformer.</summary>
    public static Dictionary<string, long[]> ClipText(int hidden, int layers, int inner)
    {
        var s = new Dictionary<string, long[]>(StringComparer.Ordinal);
        const string p = "cond_stage_model.transformer.text_model.";
        s[p + "embeddings.token_embedding.weight"] = [49408, hidden];
        s[p + "embeddings.position_embedding.weight"] = [77, hidden];
        s[p + "embeddings.position_ids"] = [1, 77];
        for (int l = 0; l < layers; l++)
        {
            string q = $"{p}encoder.layers.{l}.";
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" }) Lin(s, $"{q}self_attn.{proj}", hidden, hidden);
            Norm(s, q + "layer_norm1", hidden);
            Norm(s, q + "layer_norm2", hidden);
            Lin(s, q + "mlp.fc1", inner, hidden);
            Lin(s, q + "mlp.fc2", hidden, inner);
        }
        Norm(s, p + "final_layer_norm", hidden);
        return s;
    }

    /// <summary>SD 2.x: OpenCLIP's text tower under cond_stage_model.model.</summary>
    public static Dictionary<string, long[]> OpenClipText(int hidden, int blocks, int inner)
    {
        var s = new Dictionary<string, long[]>(StringComparer.Ordinal);
        const string p = "cond_stage_model.model.";
        s[p + "token_embedding.weight"] = [49408, hidden];
        s[p + "positional_embedding"] = [77, hidden];
        s[p + "text_projection"] = [hidden, hidden];
        s[p + "logit_scale"] = [];
        Norm(s, p + "ln_final", hidden);
        for (int l = 0; l < blocks; l++)
        {
            string q = $"{p}transformer.resblocks.{l}.";
            s[q + "attn.in_proj_weight"] = [3 * hidden, hidden];
            s[q + "attn.in_proj_bias"] = [3 * hidden];
            Lin(s, q + "attn.out_proj", hidden, hidden);
            Norm(s, q + "ln_1", hidden);
            Norm(s, q + "ln_2", hidden);
            Lin(s, q + "mlp.c_fc", inner, hidden);
            Lin(s, q + "mlp.c_proj", hidden, inner);
        }
        return s;
    }

    private static void Resnet(Dictionary<string, long[]> s, string p, long inCh, long outCh, long emb)
    {
        Norm(s, p + "in_layers.0", inCh);
        Conv(s, p + "in_layers.2", outCh, inCh, 3);
        Lin(s, p + "emb_layers.1", outCh, emb);
        Norm(s, p + "out_layers.0", outCh);
        Conv(s, p + "out_layers.3", outCh, outCh, 3);
        if (inCh != outCh) Conv(s, p + "skip_connection", outCh, inCh, 1);
    }

    private static void VaeResnet(Dictionary<string, long[]> s, string p, long inCh, long outCh)
    {
        Norm(s, p + "norm1", inCh);
        Conv(s, p + "conv1", outCh, inCh, 3);
        Norm(s, p + "norm2", outCh);
        Conv(s, p + "conv2", outCh, outCh, 3);
        if (inCh != outCh) Conv(s, p + "nin_shortcut", outCh, inCh, 1);
    }

    private static void Attention(Dictionary<string, long[]> s, string p, long c, long cross, bool linear)
    {
        Norm(s, p + "norm", c);
        if (linear) Lin(s, p + "proj_in", c, c);
        else Conv(s, p + "proj_in", c, c, 1);
        string t = p + "transformer_blocks.0.";
        foreach (var n in new[] { "norm1", "norm2", "norm3" }) Norm(s, t + n, c);
        foreach (var attn in new[] { "attn1", "attn2" })
        {
            long kv = attn == "attn1" ? c : cross;
            s[$"{t}{attn}.to_q.weight"] = [c, c];
            s[$"{t}{attn}.to_k.weight"] = [c, kv];
            s[$"{t}{attn}.to_v.weight"] = [c, kv];
            Lin(s, $"{t}{attn}.to_out.0", c, c);
        }
        Lin(s, t + "ff.net.0.proj", 8 * c, c);
        Lin(s, t + "ff.net.2", c, 4 * c);
        if (linear) Lin(s, p + "proj_out", c, c);
        else Conv(s, p + "proj_out", c, c, 1);
    }

    private static void Conv(Dictionary<string, long[]> s, string p, long outCh, long inCh, long k)
    {
        s[p + ".weight"] = [outCh, inCh, k, k];
        s[p + ".bias"] = [outCh];
    }

    private static void Lin(Dictionary<string, long[]> s, string p, long outF, long inF)
    {
        s[p + ".weight"] = [outF, inF];
        s[p + ".bias"] = [outF];
    }

    private static void Norm(Dictionary<string, long[]> s, string p, long c)
    {
        s[p + ".weight"] = [c];
        s[p + ".bias"] = [c];
    }

    /// <summary>Names and shapes only: enough to open a checkpoint and infer its configs, not to load it.</summary>
    public sealed class ShapeOnlySource(IReadOnlyDictionary<string, long[]> shapes) : ITensorSource
    {
        public string Description => "shapes only";

        public IEnumerable<string> Names => shapes.Keys;

        public bool TryGetShape(string name, out long[] shape)
        {
            if (shapes.TryGetValue(name, out var s))
            {
                shape = s;
                return true;
            }
            shape = [];
            return false;
        }

        public Tensor Load(string name, ScalarType dtype, Device device) =>
            throw new NotSupportedException("a shape-only source holds no tensor data");
    }
}
