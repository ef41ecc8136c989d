using GenArt.Diffusion.Models.TextEncoder;

namespace GenArt.Diffusion.Loading;

/// <summary>Which Stable Diffusion generation a checkpoint belongs to.</summary>
public enum StableDiffusionFamily
{
    /// <summary>SD 1.x: CLIP ViT-L/14 text encoder, 8 attention heads, epsilon prediction.</summary>
    StableDiffusion1,

    /// <summary>SD 2.x: OpenCLIP ViT-H/14 text encoder (penultimate layer), 64-dimensional heads, linear
    /// transformer projections.</summary>
    StableDiffusion2,
}

/// <summary>
/// Settings for <see cref="StableDiffusionCheckpoint.Open"/>. A diffusers folder describes itself; a single file
/// does not say everything a model needs, so the values that tensor shapes cannot tell come from here.
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>Diffusers folders: the weight variant to prefer ("fp16" picks
    /// <c>diffusion_pytorch_model.fp16.safetensors</c>; a component without it uses its plain file). Null prefers
    /// the plain file and falls back to a variant only when it is the one file there.</summary>
    public string? Variant { get; init; }

    /// <summary>Single files: the tokenizer, either a diffusers <c>tokenizer/</c> folder (vocab.json and
    /// merges.txt) or openai/CLIP's <c>bpe_simple_vocab_16e6.txt.gz</c>. When null, the places listed in
    /// <see cref="StableDiffusionCheckpoint.TokenizerSearchPaths"/> are tried in order.</summary>
    public string? TokenizerPath { get; init; }

    /// <summary>Single files: the family, when the tensors alone should not decide (they decide by the text
    /// encoder present, else the UNet's projections and cross-attention width).</summary>
    public StableDiffusionFamily? Family { get; init; }

    /// <summary>Single files: the image size the model was trained at; default 512 (SD 1.x) or 768 (SD 2.x).
    /// It sets the configs' sample_size (the UNet's is this / 8).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Single files: "epsilon" or "v_prediction" for the scheduler config; default epsilon for SD 1.x
    /// and v_prediction for SD 2.x (the 768 px 2.0/2.1 models; pass epsilon for the 512 px "base" models).</summary>
    public string? PredictionType { get; init; }

    /// <summary>Single files: the text encoder's config, replacing the one inferred from shapes (which assumes
    /// 64-dimensional heads and the family's activation). Its shapes must still match the tensors.</summary>
    public ClipTextConfig? TextEncoderConfig { get; init; }

    /// <summary>Single files: GroupNorm groups of the UNet and VAE (32 in every SD release; shapes cannot tell).</summary>
    public int NormNumGroups { get; init; } = 32;
}
