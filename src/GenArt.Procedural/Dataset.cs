using GenArt.Imaging;

namespace GenArt.Procedural;

/// <summary>
/// The generated data set: every 64-bit seed names one (image, caption, scene) triple, identically on every
/// machine. Training uses seeds [0, 2^63); held-out evaluation uses [2^63, 2^64).
/// </summary>
/// <remarks>
/// A seed drives three independent streams (<see cref="SplitMix64.ForStream"/>): 1 the scene, 2 the render
/// jitter and background split, 3 the caption template. The split is by seed, so a held-out image is never a
/// training image; its scene (the attribute combination) may also occur in training with other jitter, as it
/// would for a user prompt.
/// </remarks>
public static class Dataset
{
    public const ulong HeldOutSeedStart = 1UL << 63;

    /// <summary>The seed of the <paramref name="index"/>-th training sample.</summary>
    public static ulong TrainingSeed(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return (ulong)index;
    }

    /// <summary>The seed of the <paramref name="index"/>-th held-out sample.</summary>
    public static ulong HeldOutSeed(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return HeldOutSeedStart + (ulong)index;
    }

    public static DatasetSplit SplitOf(ulong seed) => seed >= HeldOutSeedStart ? DatasetSplit.HeldOut : DatasetSplit.Training;

    /// <summary>The scene of a seed, without rendering it.</summary>
    public static Scene SceneOf(ulong seed)
    {
        var rng = SplitMix64.ForStream(seed, 1);
        return SceneSampler.Sample(ref rng);
    }

    /// <summary>The sample of a seed; <paramref name="paraphrase"/> false always gives the canonical caption.</summary>
    public static DatasetSample Sample(ulong seed, int size = SceneRenderer.DefaultSize, bool paraphrase = true)
    {
        var scene = SceneOf(seed);
        RasterImage image = SceneRenderer.Render(scene, seed, size, size);
        string caption = paraphrase ? Captioner.Paraphrase(scene, seed) : Captioner.Caption(scene);
        return new DatasetSample(seed, image, caption, scene);
    }
}
