using System.Globalization;
using System.Text.Json;
using GenArt.Diffusion.Loading;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>
/// The text half of a transformers <c>CLIPTextConfig</c> (a text encoder's <c>config.json</c>): what
/// <see cref="ClipTextModel"/> is built from. Fields the text model does not use (dropout, initializer ranges,
/// projection_dim) are read past.
/// </summary>
public sealed record ClipTextConfig
{
    /// <summary>Activations transformers' ACT2FN offers that CLIP text encoders use.</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } = ["quick_gelu", "gelu", "gelu_pytorch_tanh", "gelu_new"];

    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int IntermediateSize { get; init; } = 2048;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int MaxPositionEmbeddings { get; init; } = 77;

    /// <summary>quick_gelu (OpenAI CLIP, SD 1.x), gelu (OpenCLIP, SD 2.x), or a tanh-approximated gelu.</summary>
    public string HiddenAct { get; init; } = "quick_gelu";

    public double LayerNormEps { get; init; } = 1e-5;
    public int BosTokenId { get; init; } = 49406;

    /// <summary>
    /// Where the pooled output is read. 2 is the value in CLIP configs written before transformers knew the real
    /// id; for it the pooled row is at argmax(input_ids), which is the end token's position because
    /// <c>&lt;|endoftext|&gt;</c> has the highest id. Any other value: the first position holding that id.
    /// </summary>
    public int EosTokenId { get; init; } = 49407;

    public int PadTokenId { get; init; } = 1;

    /// <summary>openai/clip-vit-large-patch14's text tower, the text encoder of SD 1.x.</summary>
    public static ClipTextConfig StableDiffusion1 { get; } = new()
    {
        HiddenSize = 768,
        IntermediateSize = 3072,
        NumHiddenLayers = 12,
        NumAttentionHeads = 12,
        HiddenAct = "quick_gelu",
        BosTokenId = 0,
        EosTokenId = 2,
    };

    /// <summary>
    /// The text encoder of SD 2.x: OpenCLIP ViT-H/14's text tower without its last block (SD 2 conditions on
    /// the penultimate layer, so diffusers ships 23 of the 24 blocks).
    /// </summary>
    public static ClipTextConfig StableDiffusion2 { get; } = new()
    {
        HiddenSize = 1024,
        IntermediateSize = 4096,
        NumHiddenLayers = 23,
        NumAttentionHeads = 16,
        HiddenAct = "gelu",
        BosTokenId = 0,
        EosTokenId = 2,
    };

    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Every problem with this config, empty when it can build a model.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void Positive(string name, int value)
        {
            if (value <= 0) problems.Add($"{name} must be positive (got {value})");
        }
        Positive("vocab_size", VocabSize);
        Positive("hidden_size", HiddenSize);
        Positive("intermediate_size", IntermediateSize);
        Positive("num_hidden_layers", NumHiddenLayers);
        Positive("num_attention_heads", NumAttentionHeads);
        Positive("max_position_embeddings", MaxPositionEmbeddings);
        if (HiddenSize > 0 && NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads != 0)
            problems.Add($"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumAttentionHeads}");
        if (!SupportedActivations.Contains(HiddenAct))
            problems.Add($"hidden_act '{HiddenAct}' is not supported (supported: {string.Join(", ", SupportedActivations)})");
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps))
            problems.Add($"layer_norm_eps must be a positive number (got {LayerNormEps.ToString(CultureInfo.InvariantCulture)})");
        if (EosTokenId < 0 || (VocabSize > 0 && EosTokenId >= VocabSize))
            problems.Add($"eos_token_id {EosTokenId} is outside the vocabulary of {VocabSize}");
        return problems;
    }

    /// <summary>Throws one exception listing every problem, before any layer is built.</summary>
    public void Validate(string? source = null)
    {
        var problems = Problems();
        if (problems.Count > 0)
            throw new InvalidDataException($"{source ?? "CLIP text config"}: {string.Join("; ", problems)}");
    }

    public static ClipTextConfig FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Parses a transformers <c>config.json</c> of a CLIPTextModel, or of a full CLIPModel (whose text settings
    /// sit under <c>text_config</c>), and validates it.
    /// </summary>
    public static ClipTextConfig FromJson(string json, string source = "config.json") =>
        JsonFields.ReadObject(json, source, root =>
        {
            if (root.TryGetProperty("text_config", out var nested) && nested.ValueKind == JsonValueKind.Object)
                root = nested;
            var d = new ClipTextConfig();
            var reader = new JsonFields(root, source);
            var config = new ClipTextConfig
            {
                VocabSize = reader.Int("vocab_size", d.VocabSize),
                HiddenSize = reader.Int("hidden_size", d.HiddenSize),
                IntermediateSize = reader.Int("intermediate_size", d.IntermediateSize),
                NumHiddenLayers = reader.Int("num_hidden_layers", d.NumHiddenLayers),
                NumAttentionHeads = reader.Int("num_attention_heads", d.NumAttentionHeads),
                MaxPositionEmbeddings = reader.Int("max_position_embeddings", d.MaxPositionEmbeddings),
                HiddenAct = reader.String("hidden_act", d.HiddenAct),
                LayerNormEps = reader.Double("layer_norm_eps", d.LayerNormEps),
                BosTokenId = reader.Int("bos_token_id", d.BosTokenId),
                EosTokenId = reader.Int("eos_token_id", d.EosTokenId),
                PadTokenId = reader.Int("pad_token_id", d.PadTokenId),
            };
            config.Validate(source);
            return config;
        });

    /// <summary>The config as transformers writes it, for a text encoder folder.</summary>
    public string ToJson()
    {
        var fields = new Dictionary<string, object>
        {
            ["architectures"] = new[] { "CLIPTextModel" },
            ["model_type"] = "clip_text_model",
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["hidden_act"] = HiddenAct,
            ["layer_norm_eps"] = LayerNormEps,
            ["bos_token_id"] = BosTokenId,
            ["eos_token_id"] = EosTokenId,
            ["pad_token_id"] = PadTokenId,
        };
        return JsonSerializer.Serialize(fields, new JsonSerializerOptions { WriteIndented = true });
    }
}
