namespace GenArt.Diffusion.Pipelines;

/// <summary>One sample's outcome: an image, or null when the sample was cancelled between steps.</summary>
public sealed record GenerationResult(RgbImage? Image, ulong Seed, IReadOnlyList<string> Warnings)
{
    public bool Cancelled => Image is null;
}

/// <summary>Reported after every denoising step.</summary>
/// <param name="Step">Steps done so far (1-based).</param>
/// <param name="Total">Steps this generation runs.</param>
/// <param name="Active">Indices (into the request's sample list) still in the batch.</param>
/// <param name="Previews">Builds cheap previews of the active samples, in <paramref name="Active"/> order; call only when needed.</param>
public sealed record StepProgress(int Step, int Total, IReadOnlyList<int> Active, Func<RgbImage[]> Previews);
