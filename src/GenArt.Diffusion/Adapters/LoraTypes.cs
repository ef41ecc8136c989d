namespace GenArt.Diffusion.Adapters;

/// <summary>The key layout an adapter file is written in.</summary>
public enum LoraFormat
{
    /// <summary>kohya-ss sd-scripts: <c>lora_unet_*</c> / <c>lora_te_*</c> with <c>lora_down</c>, <c>lora_up</c>, <c>alpha</c>.</summary>
    Kohya,

    /// <summary>diffusers' <c>save_lora_weights</c>: <c>unet.*</c> / <c>text_encoder.*</c> module paths with PEFT's
    /// <c>lora_A</c>/<c>lora_B</c> (alphas in the <c>lora_adapter_metadata</c> header entry) or the older
    /// <c>lora.down</c>/<c>lora.up</c> and attention-processor names.</summary>
    Diffusers,

    /// <summary>PEFT's <c>save_pretrained</c>: <c>base_model.model.*</c> module paths with <c>lora_A</c>/<c>lora_B</c>.</summary>
    Peft,
}

/// <summary>Which model of the pipeline a layer belongs to.</summary>
public enum LoraComponent
{
    Unet,
    TextEncoder,
}

/// <summary>The kind of base layer an adapter layer adds to.</summary>
public enum LoraLayerKind
{
    /// <summary>Linear, weight [out, in]: down [r, in], up [out, r].</summary>
    Linear,

    /// <summary>Conv2d, weight [out, in, kh, kw]: down [r, in, kh, kw] (same kernel, stride and padding as the base;
    /// LoCon for kernels over 1x1), up [out, r, 1, 1].</summary>
    Conv2d,
}

/// <summary>One adapted layer of a file, as validated against the base model.</summary>
/// <param name="Component">The UNet or the text encoder.</param>
/// <param name="Module">The base layer's module path, e.g. <c>down_blocks.0.attentions.0.proj_in</c>.</param>
/// <param name="Kind">Linear or Conv2d.</param>
/// <param name="Rank">r: rows of down.</param>
/// <param name="Alpha">alpha; the layer adds scale * (alpha / r) * up(down(x)).</param>
/// <param name="DownKey">The file's key of down (lora_down, lora_A).</param>
/// <param name="UpKey">The file's key of up (lora_up, lora_B).</param>
/// <param name="BaseShape">The base layer's weight shape.</param>
public sealed record LoraTarget(LoraComponent Component, string Module, LoraLayerKind Kind, int Rank, double Alpha, string DownKey, string UpKey,
    IReadOnlyList<long> BaseShape);

/// <summary>What <see cref="LoraAdapterFile.Inspect"/> found in a valid adapter file.</summary>
/// <param name="Format">The key layout.</param>
/// <param name="Rank">The largest rank among its layers.</param>
/// <param name="Alpha">The alpha most of its layers use (the larger on a tie); the rank when the file gives none.</param>
/// <param name="Targets">Every adapted layer, UNet first, each in module-path order.</param>
public sealed record LoraSummary(LoraFormat Format, int Rank, double Alpha, IReadOnlyList<LoraTarget> Targets)
{
    /// <summary>Number of adapted layers.</summary>
    public int TargetCount => Targets.Count;

    /// <summary>Adapted layers of the UNet.</summary>
    public int UnetTargetCount => Targets.Count(t => t.Component == LoraComponent.Unet);

    /// <summary>Adapted layers of the text encoder.</summary>
    public int TextEncoderTargetCount => Targets.Count(t => t.Component == LoraComponent.TextEncoder);

    /// <summary>"kohya", "diffusers" or "peft", as adapter records store it.</summary>
    public string FormatName => Format switch
    {
        LoraFormat.Kohya => "kohya",
        LoraFormat.Diffusers => "diffusers",
        _ => "peft",
    };
}
