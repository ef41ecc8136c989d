namespace GenArt.Diffusion.Pipelines;

public enum GenerationMode
{
    TextToImage,
    ImageToImage,
}

/// <summary>What every sample of one batch shares: one UNet call per step serves them all.</summary>
public sealed record GenerationSettings
{
    public int Width { get; init; } = 512;
    public int Height { get; init; } = 512;
    public int Steps { get; init; } = 20;
    /// <summary>A scheduler name, e.g. "dpmpp-2m-karras" (see SchedulerFactory).</summary>
    public string Scheduler { get; init; } = "dpmpp-2m-karras";
    public GenerationMode Mode { get; init; } = GenerationMode.TextToImage;
    /// <summary>img2img: how much of the schedule to run, in (0, 1]; 1 ignores the init image's content.</summary>
    public double Strength { get; init; } = 0.75;
    /// <summary>0: the text encoder's last layer; N: the hidden state N layers from the end, final layer norm applied.</summary>
    public int ClipSkip { get; init; }
}

/// <summary>One sample of a batch: its own prompt, seed and guidance, so that it renders the same alone or batched.</summary>
public sealed record SampleRequest
{
    public required string Prompt { get; init; }
    public string NegativePrompt { get; init; } = "";
    public ulong Seed { get; init; }
    public double GuidanceScale { get; init; } = 7.5;
    /// <summary>img2img: the init image, exactly Width x Height RGB8.</summary>
    public RgbImage? InitImage { get; init; }
    /// <summary>LoRA adapters for this sample only, in application order, each at its scale; empty for none.</summary>
    public IReadOnlyList<GenArt.Diffusion.Adapters.LoraUse> Adapters { get; init; } = [];
    /// <summary>Checked between denoising steps: when it reports cancellation, this sample is dropped from the batch.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public static RgbImage Create(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} must be positive");
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"a {width}x{height} RGB image needs {width * height * 3} bytes, got {pixels.Length}");
        return new RgbImage(width, height, pixels);
    }
}
