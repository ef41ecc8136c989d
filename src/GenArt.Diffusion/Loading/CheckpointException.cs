namespace GenArt.Diffusion.Loading;

/// <summary>A checkpoint that cannot be used as asked; the message names the file (and key) at fault.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    internal static CheckpointException Pickle(string path) => new(path,
        "pickle checkpoints (.ckpt, .pt, .pth, .bin) are refused: unpickling can run arbitrary code embedded in the file. " +
        "Convert it once, in a sandbox you trust, to .safetensors: for a single-file checkpoint, load it with torch.load " +
        "and save the state_dict with safetensors.torch.save_file (or use diffusers' scripts/convert_original_stable_diffusion_to_diffusers.py " +
        "with --to_safetensors); for a diffusers folder, from_pretrained(...).save_pretrained(..., safe_serialization=True).");

    internal static CheckpointException MissingKey(string path, string key, string? checkpointKey, long[] expected) => new(path,
        $"missing key '{key}'{Behind(checkpointKey)} (the model expects shape {Shape(expected)})");

    internal static CheckpointException ShapeMismatch(string path, string key, string? checkpointKey, long[] have, long[] expected) => new(path,
        $"key '{key}'{Behind(checkpointKey)} has shape {Shape(have)} but the model expects {Shape(expected)}");

    internal static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static string Behind(string? checkpointKey) => checkpointKey is null ? "" : $" (checkpoint key '{checkpointKey}')";
}
