using GenArt.Torch;

namespace GenArt.Diffusion.Training;

/// <summary>
/// Offset noise: a constant per sample and latent channel on top of the per-pixel noise. With zero-mean noise the
/// last train timestep still shows the image's mean: it enters x_T with weight √ᾱ_T ≈ 0.07 (Stable Diffusion's
/// schedule), while the mean of a 16x16 noise map only spreads by 1/16. A model then learns to keep whatever mean
/// colour the starting noise happens to have instead of taking it from the prompt; the offset hides the image's mean
/// and makes predicting it part of the task.
/// </summary>
public static class OffsetNoise
{
    /// <summary>The largest offset scale a trainer accepts.</summary>
    public const double MaxScale = 1.0;

    /// <summary><paramref name="noise"/> plus <paramref name="scale"/>·N(0, 1) per [sample, channel], drawn from
    /// <paramref name="generator"/>; the noise itself when the scale is 0 (nothing is drawn then).</summary>
    public static Tensor Add(Tensor noise, double scale, Generator generator)
    {
        if (scale <= 0) return noise;
        var offset = torch.randn([noise.shape[0], noise.shape[1], 1, 1], generator).to(noise.device);
        return noise.add(offset.mul(scale));
    }

    /// <summary>Whether <paramref name="scale"/> is a finite value in [0, <see cref="MaxScale"/>].</summary>
    public static bool IsValidScale(double scale) => double.IsFinite(scale) && scale is >= 0 and <= MaxScale;
}
