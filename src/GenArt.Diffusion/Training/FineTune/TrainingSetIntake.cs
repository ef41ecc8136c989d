using GenArt.Imaging;

namespace GenArt.Diffusion.Training.FineTune;

/// <summary>One uploaded training image: its file name (for error messages), its bytes, and an optional caption.</summary>
public sealed record FineTuneUpload(string FileName, byte[] Bytes, string? Caption = null);

/// <summary>The rules an upload set must meet.</summary>
public sealed record TrainingSetRules
{
    /// <summary>Fewest images a fine-tune accepts.</summary>
    public int MinImages { get; init; } = 3;

    /// <summary>Most images a fine-tune accepts.</summary>
    public int MaxImages { get; init; } = 1_000;

    /// <summary>Largest width × height, read from the image header before any pixel is decoded.</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>Longest caption in characters (UTF-16 code units), trigger word included. The text encoder reads
    /// at most its own token limit (77 for SD 1.x, 32 for genart-tiny); a longer caption that passes this rule is
    /// truncated there, as prompts are.</summary>
    public int MaxCaptionChars { get; init; } = 1_000;

    /// <summary>Longest trigger word in characters.</summary>
    public const int MaxTriggerChars = 64;
}

/// <summary>
/// Turns uploads into training examples: decodes PNG and JPEG through <see cref="ImageDecoder"/> (EXIF orientation
/// applied), resizes the shorter side to the training resolution and keeps the centred square, and sets each
/// caption: a missing one becomes the trigger word, one without the trigger word gets it prepended.
/// </summary>
/// <remarks>Every rule is checked for every upload before anything is returned, so a refusal leaves nothing
/// behind; the first broken rule is reported as a <see cref="FineTuneInputException"/> naming the field and the file.</remarks>
public static class TrainingSetIntake
{
    /// <exception cref="FineTuneInputException">A rule is broken.</exception>
    public static IReadOnlyList<TrainingExample> Prepare(IReadOnlyList<FineTuneUpload> uploads, string triggerWord, int resolution,
        TrainingSetRules? rules = null)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        rules ??= new TrainingSetRules();
        CheckTriggerWord(triggerWord);
        if (resolution is < 8 or > 4096 || resolution % 8 != 0)
            throw new FineTuneInputException("resolution", $"must be a multiple of 8 in 8-4096, got {resolution}");
        if (uploads.Count < rules.MinImages || uploads.Count > rules.MaxImages)
            throw new FineTuneInputException("images", $"a fine-tune needs {rules.MinImages}-{rules.MaxImages} images, got {uploads.Count}");

        // Captions first: they are cheap to check, and a refusal should not wait for decoding.
        var captions = new string[uploads.Count];
        for (int i = 0; i < uploads.Count; i++)
        {
            var u = uploads[i] ?? throw new FineTuneInputException("images", $"entry {i} is missing");
            if (string.IsNullOrEmpty(u.FileName)) throw new FineTuneInputException("images", $"entry {i} has no file name");
            if (u.Bytes is null || u.Bytes.Length == 0) throw new FineTuneInputException("images", "the file is empty", u.FileName);
            captions[i] = CaptionFor(u.Caption, triggerWord);
            if (captions[i].Length > rules.MaxCaptionChars)
                throw new FineTuneInputException("captions", $"the caption has {captions[i].Length} characters (trigger word included), " +
                    $"over the limit of {rules.MaxCaptionChars}", u.FileName);
        }

        var decode = new ImageDecodeOptions { MaxPixels = rules.MaxPixels, ApplyExifOrientation = true };
        var examples = new TrainingExample[uploads.Count];
        for (int i = 0; i < uploads.Count; i++)
        {
            var u = uploads[i];
            RasterImage image;
            try
            {
                image = ImageDecoder.Decode(u.Bytes, u.FileName, decode);
            }
            catch (ImageDecodeException e)
            {
                string rule = e.Rule switch
                {
                    ImageDecodeRule.TooManyPixels => "over the pixel limit",
                    ImageDecodeRule.UnsupportedFormat => "unsupported format",
                    ImageDecodeRule.Empty => "empty file",
                    _ => "corrupt image",
                };
                throw new FineTuneInputException("images", $"{rule}: {e.Message}", u.FileName, e);
            }
            var square = ImageResizer.ResizeAndCenterCrop(image, resolution);
            examples[i] = new TrainingExample(square.Pixels, resolution, captions[i]);
        }
        return examples;
    }

    /// <summary>The caption trained on: the trigger word alone for a missing caption, else the caption with the
    /// trigger word in front unless it already holds it as a whole word (case-insensitive).</summary>
    public static string CaptionFor(string? caption, string triggerWord)
    {
        string text = caption?.Trim() ?? "";
        if (text.Length == 0) return triggerWord;
        return ContainsWord(text, triggerWord) ? text : $"{triggerWord} {text}";
    }

    internal static void CheckTriggerWord(string triggerWord)
    {
        if (string.IsNullOrWhiteSpace(triggerWord)) throw new FineTuneInputException("trigger_word", "is required");
        if (triggerWord.Length > TrainingSetRules.MaxTriggerChars)
            throw new FineTuneInputException("trigger_word", $"has {triggerWord.Length} characters, over the limit of {TrainingSetRules.MaxTriggerChars}");
        if (triggerWord.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ','))
            throw new FineTuneInputException("trigger_word", "must be one word: no spaces, commas or control characters");
    }

    private static bool ContainsWord(string text, string word)
    {
        for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0;
             at = text.IndexOf(word, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            bool startOk = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            int end = at + word.Length;
            bool endOk = end == text.Length || !char.IsLetterOrDigit(text[end]);
            if (startOk && endOk) return true;
        }
        return false;
    }
}
