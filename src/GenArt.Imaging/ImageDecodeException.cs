namespace GenArt.Imaging;

/// <summary>Which rule an upload broke.</summary>
public enum ImageDecodeRule
{
    /// <summary>Empty input.</summary>
    Empty,

    /// <summary>Not PNG or JPEG (by magic bytes).</summary>
    UnsupportedFormat,

    /// <summary>Width × height, read from the header, over the configured limit.</summary>
    TooManyPixels,

    /// <summary>Truncated or damaged data, or a variant the decoder cannot read.</summary>
    Corrupt,
}

/// <summary>An uploaded image was refused. The message names the file and the rule.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string fileName, ImageDecodeRule rule, string detail, Exception? inner = null)
        : base($"{fileName}: {detail}", inner)
    {
        FileName = fileName;
        Rule = rule;
    }

    public string FileName { get; }

    public ImageDecodeRule Rule { get; }
}
