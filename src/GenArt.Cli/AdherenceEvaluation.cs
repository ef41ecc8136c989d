using GenArt.Diffusion.Pipelines;
using GenArt.Diffusion.Training;
using GenArt.Torch;
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

    /// <summary>
    /// The VAE's ceiling: each held-out image encoded and decoded (posterior mean) by the model's VAE and scored like a
    /// render. The denoiser can only produce what the decoder can draw, so a model's render accuracy stays below these.
    /// </summary>
    public static (AdherenceReport Report, IReadOnlyList<AdherenceItem> Items) RunVaeRoundTrip(StableDiffusionModel model, int count,
        Action<int, int>? progress = null)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be positive");
        int side = model.NativeSide;
        var report = new AdherenceReport();
        var items = new List<AdherenceItem>(count);
        for (int i = 0; i < count; i++)
        {
            var sample = Dataset.Sample(Dataset.HeldOutSeed(i), side);
            if (!Scene.TryParse(sample.Caption, out var expected) || expected is null)
                throw new InvalidDataException($"held-out caption '{sample.Caption}' does not parse back to a scene");
            byte[] pixels;
            using (torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var chw = new TrainingExample(sample.Image.Pixels, side, sample.Caption).ToChw();
                var image = torch.tensor<float>(chw.AsSpan(), [1, 3, side, side]).to(model.Device, model.DType);
                using var posterior = model.Vae.Encode(image);
                var decoded = model.Vae.Decode(posterior.Mean).to(Device.CPU, ScalarType.Float32).clamp(-1, 1);
                pixels = decoded.add(1).mul(127.5).round().squeeze(0).permute(1, 2, 0).contiguous().to(ScalarType.Byte).data<byte>().ToArray();
            }
            var raster = new RasterImage(side, side, PixelFormat.Rgb8, pixels);
            var score = AdherenceScorer.Score(raster, expected);
            report.Add(score);
            items.Add(new AdherenceItem(sample.Seed, sample.Caption, raster, score));
            progress?.Invoke(i + 1, count);
        }
        return (report, items);
    }

    /// <summary>Writes each image that missed background, foreground, shape or count as <c>NNN.png</c> (its index among the
    /// held-out prompts), and one tab-separated line per image in <c>misses.txt</c>: index, seed, prompt, what was seen. Returns how many missed.</summary>
    public static int WriteMisses(string folder, IReadOnlyList<AdherenceItem> items)
    {
        Directory.CreateDirectory(folder);
        var lines = new List<string>();
        for (int n = 0; n < items.Count; n++)
        {
            var item = items[n];
            var score = item.Score;
            if (score.Background && score.Foreground && score.Shape && score.Count) continue;
            File.WriteAllBytes(Path.Combine(folder, $"{n:D3}.png"), PngEncoder.Encode(item.Image));
            var seen = score.Observed;
            string shapes = string.Join(" ", seen.Objects.Select(o => o.Shape.ToString().ToLowerInvariant()));
            lines.Add($"{n:D3}\t{item.Seed}\t{item.Prompt}\tseen: {seen.Foreground?.ToString().ToLowerInvariant() ?? "nothing"} on {seen.Background.ToString().ToLowerInvariant()}, [{shapes}]");
        }
        File.WriteAllLines(Path.Combine(folder, "misses.txt"), lines);
        return lines.Count;
    }
}
