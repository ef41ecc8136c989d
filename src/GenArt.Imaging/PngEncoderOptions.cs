using System.IO.Compression;

namespace GenArt.Imaging;

/// <summary>How scanlines are filtered before compression (PNG spec 9 and 12.8).</summary>
public enum PngFilterStrategy
{
    /// <summary>Per row, the filter whose output has the smallest sum of absolute values (the spec's recommendation).</summary>
    Adaptive,

    /// <summary>No filtering: fastest, larger files.</summary>
    None,
}

public sealed record PngEncoderOptions
{
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    public PngFilterStrategy Filter { get; init; } = PngFilterStrategy.Adaptive;

    public static PngEncoderOptions Default { get; } = new();
}
