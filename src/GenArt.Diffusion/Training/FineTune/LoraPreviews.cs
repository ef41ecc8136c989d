using GenArt.Diffusion.Adapters;
using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>One seed rendered by the base model alone and with the adapter; the rest of the request is the same.</summary>
public sealed record LoraPreview(ulong Seed, string Prompt, RgbImage Base, RgbImage Adapted)
{
    /// <summary>The base render as PNG.</summary>
    public byte[] BasePng() => Png(Base);

    /// <summary>The adapted render as PNG.</summary>
    public byte[] AdaptedPng() => Png(Adapted);

    private static byte[] Png(RgbImage image) => PngEncoder.Encode(new RasterImage(image.Width, image.Height, PixelFormat.Rgb8, image.Pixels));
}

/// <summary>Side-by-side renders of a fine-tune: the same prompt and seeds without and with the adapter.</summary>
public static class LoraPreviews
{
    /// <summary>Renders every seed twice in one batch (the engine gives each sample the pixels it gets alone).</summary>
    /// <param name="scale">The adapter's weight in the adapted renders (1: as trained).</param>
    public static IReadOnlyList<LoraPreview> Render(StableDiffusionModel model, LoraAdapter adapter, string prompt,
        IReadOnlyList<ulong> seeds, GenerationSettings settings, double guidanceScale = 7.5, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0) return [];
        var uses = new[] { new LoraUse(adapter, scale) };
        var samples = seeds.SelectMany(seed => new[]
        {
            new SampleRequest { Prompt = prompt, Seed = seed, GuidanceScale = guidanceScale },
            new SampleRequest { Prompt = prompt, Seed = seed, GuidanceScale = guidanceScale, Adapters = uses },
        }).ToList();
        var results = new StableDiffusionPipeline(model).Generate(settings, samples);
        return seeds.Select((seed, i) => new LoraPreview(seed, prompt, results[2 * i].Image!, results[2 * i + 1].Image!)).ToList();
    }
}

public sealed partial class LoraTrainer
{
    /// <summary>Renders <paramref name="seeds"/> without and with the adapter as trained so far.</summary>
    public IReadOnlyList<LoraPreview> RenderPreviews(string prompt, IReadOnlyList<ulong> seeds, GenerationSettings settings, double guidanceScale = 7.5) =>
        LoraPreviews.Render(model, Adapter, prompt, seeds, settings, guidanceScale);
}
