namespace GenArt.Diffusion.Training.FineTune;

/// <summary>
/// A fine-tune request was refused before any training: too few or too many images, an image over the pixel
/// limit, of an unsupported format or corrupt, a caption over the length limit, or a spec value out of range.
/// The service maps it to INVALID_ARGUMENT; <see cref="Field"/> and <see cref="FileName"/> say what to fix.
/// </summary>
public sealed class FineTuneInputException : Exception
{
    public FineTuneInputException(string field, string problem, string? fileName = null, Exception? inner = null)
        : base(fileName is null ? $"{field}: {problem}" : $"{field} ({fileName}): {problem}", inner)
    {
        Field = field;
        Problem = problem;
        FileName = fileName;
    }

    /// <summary>The request field at fault: <c>images</c>, <c>captions</c>, <c>trigger_word</c>, <c>rank</c>, ...</summary>
    public string Field { get; }

    /// <summary>What is wrong, without the field and file name.</summary>
    public string Problem { get; }

    /// <summary>The uploaded file at fault, when the problem is one image or its caption.</summary>
    public string? FileName { get; }
}
