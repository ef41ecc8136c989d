using GenArt.Diffusion.Pipelines;
using GenArt.Imaging;
using GenArt.Procedural;

namespace GenArt.Cli;

/// <summary>One rendered held-out prompt and how it scored.</summary>
public sealed record AdherenceItem(ulong Seed, string Prompt, RasterImage Image, AdherenceScore Score);

/// <summary>
/// Renders held-out prompts of the procedural dataset (seeds from the held-out range, never used in training)
/// and scores each image against its prompt analytically: background colour, foreground colour, shape, count.
/// </summary>
public static class AdherenceEvaluation
{
    public sealed record Options(int Count = 200, int Steps = 20, string Scheduler = "dpmpp-2m-karras", double Guidance = 7.5, int Batch = 4);

    public static (AdherenceReport Report, IReadOnlyList<AdherenceItem> Items) Run(StableDiffusionPipeline pipeline, Options options,
        Action<int, int>? progress = null)
    {
        if (options.Count <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Count, "count must be positive");
        if (options.Batch <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Batch, "batch must be positive");
        int side = pipeline.Model.NativeSide;
        var settings = new GenerationSettings { Width = side, Height = side, Steps = options.Steps, Scheduler = options.Scheduler };
        var report = new AdherenceReport();
        var items = new List<AdherenceItem>(options.Count);
        for (int start = 0; start < options.Count; start += options.Batch)
        {
            var prompts = Enumerable.Range(start, Math.Min(options.Batch, options.Count - start))
                .Select(i => Dataset.Sample(Dataset.HeldOutSeed(i), side))
                .ToList();
            // The noise seed is the held-out seed's index, so every image of a run is reproducible on its own.
            var requests = prompts.Select((p, k) => new SampleRequest { Prompt = p.Caption, Seed = (ulong)(start + k), GuidanceScale = options.Guidance }).ToList();
            var results = pipeline.Generate(settings, requests);
            for (int k = 0; k < prompts.Count; k++)
            {
                if (!Scene.TryParse(prompts[k].Caption, out var expected) || expected is null)
                    throw new InvalidDataException($"held-out caption '{prompts[k].Caption}' does not parse back to a scene");
                var image = results[k].Image!;
                var raster = new RasterImage(image.Width, image.Height, PixelFormat.Rgb8, image.Pixels);
                var score = AdherenceScorer.Score(raster, expected);
                report.Add(score);
                items.Add(new AdherenceItem(prompts[k].Seed, prompts[k].Caption, raster, score));
            }
            progress?.Invoke(items.Count, options.Count);
        }
        return (report, items);
    }
}
