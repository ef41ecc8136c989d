using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Loading;

public sealed partial class StableDiffusionCheckpoint
{
    /// <summary>
    /// Reads an original-layout (LDM) state dict from any tensor source, for instance one assembled in memory
    /// or split over several files; <paramref name="name"/> stands for the file in messages and is where the
    /// tokenizer is looked for. The caller keeps ownership of <paramref name="source"/>.
    /// </summary>
    public static StableDiffusionCheckpoint OpenSingleFile(ITensorSource source, string name, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return FromLdmSource(source, name, options ?? new CheckpointOptions(), []);
    }

    private static StableDiffusionCheckpoint OpenSingleFile(string path, CheckpointOptions options)
    {
        var source = new SafeTensorsSource(path);
        try
        {
            return FromLdmSource(source, path, options, [source]);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static StableDiffusionCheckpoint FromLdmSource(ITensorSource source, string path, CheckpointOptions options, List<IDisposable> owned)
    {
        if (source.Names.Any(n => n.StartsWith("conditioner.", StringComparison.Ordinal)))
            throw new CheckpointException(path, "'conditioner.*' tensors mark an SDXL checkpoint, which is not supported; only SD 1.x and 2.x single files are");
        var (unetMap, unetShape) = LdmUnetLayout.Analyze(source, path);
        var (vaeMap, vaeShape) = LdmVaeLayout.Analyze(source, path);

        Dictionary<string, TensorMapping>? textMap = null;
        ClipTextConfig? textConfig = null;
        string? textPrefix = null;
        if (LdmTextEncoderLayout.HasOpenClip(source))
        {
            (textMap, textConfig) = LdmTextEncoderLayout.AnalyzeOpenClip(source, path);
            textPrefix = LdmTextEncoderLayout.OpenClipPrefix;
        }
        else if (LdmTextEncoderLayout.HasTransformers(source))
        {
            (textMap, textConfig) = LdmTextEncoderLayout.AnalyzeTransformers(source, path);
            textPrefix = LdmTextEncoderLayout.TransformersPrefix;
        }

        if (textConfig is not null && options.TextEncoderConfig is not null)
        {
            options.TextEncoderConfig.Validate("CheckpointOptions.TextEncoderConfig");
            textConfig = options.TextEncoderConfig;
        }
        var family = options.Family ?? InferFamily(textPrefix, unetShape);
        var settings = SingleFileConfigs.Settings(family, options, path);
        ModelComponent Component(string name, string config, Dictionary<string, TensorMapping> map, string prefix) =>
            new(name, config, new MappedTensorSource(source, map, $"{path} ({name} tensors under '{prefix}')"), [path]);

        var unet = Component("unet", SingleFileConfigs.Unet(unetShape, family, settings, path), unetMap, LdmUnetLayout.Prefix);
        var vae = Component("vae", SingleFileConfigs.Vae(vaeShape, settings, path), vaeMap, LdmVaeLayout.Prefix);
        var text = textMap is null ? null : Component("text_encoder", textConfig!.ToJson(), textMap, textPrefix!);
        return new StableDiffusionCheckpoint(path, CheckpointLayout.SingleFile, family, unet, vae, text, textConfig,
            SingleFileConfigs.Scheduler(family, settings), FindTokenizer(path, options.TokenizerPath), owned);
    }

    // The text encoder settles it when present; otherwise SD 2.x's UNet is the one with linear projections in
    // its transformers and 1024-wide cross-attention (diffusers' own test for a v2 checkpoint).
    private static StableDiffusionFamily InferFamily(string? textPrefix, LdmUnetShape unet) => textPrefix switch
    {
        LdmTextEncoderLayout.OpenClipPrefix => StableDiffusionFamily.StableDiffusion2,
        LdmTextEncoderLayout.TransformersPrefix => StableDiffusionFamily.StableDiffusion1,
        _ => unet.UseLinearProjection || unet.CrossAttentionDim == 1024 ? StableDiffusionFamily.StableDiffusion2 : StableDiffusionFamily.StableDiffusion1,
    };
}
