using GenArt.Imaging;

namespace GenArt.Procedural;

/// <summary>One training or evaluation example: the picture, its caption, and the scene both describe.</summary>
public sealed record DatasetSample(ulong Seed, RasterImage Image, string Caption, Scene Scene)
{
    public DatasetSplit Split => Dataset.SplitOf(Seed);
}
