using System.Text;
using System.Text.Json;

namespace GenArt.Server.Tests;

/// <summary>
/// LoRA files for the tiny reference model (tests/fixtures/golden/pipeline), written byte by byte in the safetensors
/// layout (8-byte little-endian header length, JSON header, raw little-endian data), valid ones and broken ones.
/// </summary>
internal static class AdapterFiles
{
    /// <summary>A rank-4 kohya LoRA on three layers of the UNet and one of the text encoder, all shapes right.</summary>
    public static byte[] ValidKohya(int rank = 4, float seed = 1) => SafeTensors(KohyaLayers(rank, seed));

    /// <summary>The golden kohya file that the engine's tests convert (276 tensors, ~188 KB).</summary>
    public static byte[] GoldenKohya => File.ReadAllBytes(Golden("lora/lora_kohya.safetensors"));

    /// <summary>The golden diffusers (PEFT keys) file.</summary>
    public static byte[] GoldenDiffusers => File.ReadAllBytes(Golden("lora/lora_diffusers_peft.safetensors"));

    /// <summary>to_q's down weight reads 48 input features where the model's layer has 32.</summary>
    public static byte[] WrongShape()
    {
        var layers = KohyaLayers(4, 1);
        layers[Q + ".lora_down.weight"] = Tensor([4, 48], 1);
        return SafeTensors(layers);
    }

    /// <summary>A layer with its down weight and alpha but no up weight.</summary>
    public static byte[] MissingUp()
    {
        var layers = KohyaLayers(4, 1);
        layers.Remove(Q + ".lora_up.weight");
        return SafeTensors(layers);
    }

    /// <summary>A layer the model does not have (the UNet has two down blocks, not eight).</summary>
    public static byte[] MissingTarget()
    {
        var layers = KohyaLayers(4, 1);
        const string ghost = "lora_unet_down_blocks_7_attentions_0_transformer_blocks_0_attn1_to_q";
        layers[ghost + ".lora_down.weight"] = Tensor([4, 32], 2);
        layers[ghost + ".lora_up.weight"] = Tensor([32, 4], 3);
        layers[ghost + ".alpha"] = Tensor([], 4);
        return SafeTensors(layers);
    }

    /// <summary>A key of no LoRA layout among valid ones.</summary>
    public static byte[] UnknownKey()
    {
        var layers = KohyaLayers(4, 1);
        layers["model.diffusion_model.extra_weights"] = Tensor([4], 5);
        return SafeTensors(layers);
    }

    /// <summary>A header that claims more bytes than the file has.</summary>
    public static byte[] Truncated()
    {
        byte[] valid = ValidKohya();
        return valid[..(valid.Length / 2)];
    }

    /// <summary>A header length that points past the end, then text.</summary>
    public static byte[] NotSafetensors() => [.. BitConverter.GetBytes(1_000_000L), .. "{\"not\": \"json"u8.ToArray()];

    /// <summary>The start of a pickle (PROTO 2), as torch.save's legacy format writes it.</summary>
    public static byte[] Pickle() => [0x80, 0x02, 0x7D, 0x71, 0x00, 0x28, 0x58, 0x05, 0x00, 0x00, 0x00, .. "state"u8.ToArray(), 0x2E];

    /// <summary>The start of a zip archive, as torch.save writes .pt / .ckpt files.</summary>
    public static byte[] TorchZip() => [(byte)'P', (byte)'K', 3, 4, .. new byte[60]];

    private const string Q = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q";

    /// <summary>Module (kohya underscored) -> (out, in) of Linear layers of the reference model.</summary>
    private static readonly (string Module, int Out, int In)[] Targets =
    [
        (Q, 32, 32),
        ("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k", 32, 32),
        ("lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k", 64, 32),
        ("lora_te_text_model_encoder_layers_0_self_attn_q_proj", 32, 32),
    ];

    private static Dictionary<string, (long[] Shape, float[] Data)> KohyaLayers(int rank, float seed)
    {
        var layers = new Dictionary<string, (long[], float[])>(StringComparer.Ordinal);
        int n = 0;
        foreach (var (module, outFeatures, inFeatures) in Targets)
        {
            layers[module + ".lora_down.weight"] = Tensor([rank, inFeatures], seed + n++);
            layers[module + ".lora_up.weight"] = Tensor([outFeatures, rank], seed + n++);
            layers[module + ".alpha"] = ([], [rank]);
        }
        return layers;
    }

    private static (long[] Shape, float[] Data) Tensor(long[] shape, float seed)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return (shape, Enumerable.Range(0, (int)count).Select(i => MathF.Sin(seed * 7 + i) * 0.01f).ToArray());
    }

    private static byte[] SafeTensors(Dictionary<string, (long[] Shape, float[] Data)> tensors)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal) { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (var (name, (shape, values)) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            long start = data.Length;
            foreach (float v in values) data.Write(BitConverter.GetBytes(v));
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = shape, ["data_offsets"] = new[] { start, data.Length } };
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - json.Length % 8) % 8; // the format allows trailing spaces; aligned data is conventional
        json = [.. json, .. Enumerable.Repeat((byte)' ', pad)];
        return [.. BitConverter.GetBytes((long)json.Length), .. json, .. data.ToArray()];
    }

    private static string Golden(string relative) =>
        Path.Combine(Path.GetDirectoryName(TestServer.ModelPath)!, relative);
}
