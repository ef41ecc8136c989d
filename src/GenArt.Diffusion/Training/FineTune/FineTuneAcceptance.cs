using GenArt.Diffusion.Pipelines;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>What an acceptance run measured.</summary>
/// <param name="BaseDistance">Mean style distance of the base model's renders of the prompt (before training).</param>
/// <param name="AdaptedDistance">Mean style distance of the same seeds rendered with the trained adapter.</param>
/// <param name="BaseUnchanged">The base model's renders after training equal those before it, byte for byte (the same
/// request both times).</param>
/// <param name="Losses">The training loss of every step.</param>
/// <param name="Previews">The seeds rendered after training without and with the adapter.</param>
public sealed record FineTuneAcceptanceReport(double BaseDistance, double AdaptedDistance, bool BaseUnchanged,
    IReadOnlyList<double> Losses, IReadOnlyList<LoraPreview> Previews)
{
    /// <summary>AdaptedDistance / BaseDistance: under 1 when the adapter moved the renders toward the style.</summary>
    public double Ratio => AdaptedDistance / BaseDistance;

    /// <summary>The acceptance rule: the base renders are untouched and the adapted renders are at least
    /// <paramref name="minImprovement"/> (a share, 0.1 = 10%) closer to the style than the base model's.</summary>
    public bool Passed(double minImprovement = 0.1) => BaseUnchanged && Ratio <= 1 - minImprovement;
}

/// <summary>
/// Trains an adapter on a style's images and measures whether it moved the model toward the style: the same prompt
/// and seeds rendered by the base model before training and with the adapter after, each scored by a style
/// distance (e.g. the mean distance of pixels to a brand palette), and the base renders checked to be unchanged.
/// </summary>
public static class FineTuneAcceptance
{
    public static FineTuneAcceptanceReport Run(StableDiffusionModel model, IReadOnlyList<TrainingExample> images, LoraTrainingSpec spec,
        string prompt, IReadOnlyList<ulong> seeds, GenerationSettings render, Func<RgbImage, double> styleDistance,
        Action<LoraTrainingProgress>? progress = null, string? checkpointFolder = null, string? adapterPath = null)
    {
        ArgumentNullException.ThrowIfNull(styleDistance);
        if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
        var pipeline = new StableDiffusionPipeline(model);
        // the same request before and after training: equal bytes mean the base weights were left as they were
        List<RgbImage> RenderBase() => pipeline.Generate(render, seeds.Select(s => new SampleRequest { Prompt = prompt, Seed = s }).ToList())
            .Select(r => r.Image!).ToList();
        var before = RenderBase();

        using var trainer = new LoraTrainer(model, images, spec);
        var losses = new List<double>();
        trainer.Run(checkpointFolder, p =>
        {
            losses.Add(p.Loss);
            progress?.Invoke(p);
        });
        if (adapterPath is not null) trainer.SaveAdapter(adapterPath);
        var previews = trainer.RenderPreviews(prompt, seeds, render);

        var after = RenderBase();
        bool unchanged = after.Zip(before).All(p => p.First.Pixels.AsSpan().SequenceEqual(p.Second.Pixels));
        double baseDistance = before.Average(styleDistance);
        double adaptedDistance = previews.Average(p => styleDistance(p.Adapted));
        return new FineTuneAcceptanceReport(baseDistance, adaptedDistance, unchanged, losses, previews);
    }
}
