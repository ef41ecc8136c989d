using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Tokenization;
using GenArt.Torch;

namespace GenArt.Diffusion.Loading;

/// <summary>How a checkpoint is laid out on disk.</summary>
public enum CheckpointLayout
{
    /// <summary>A diffusers pipeline folder: model_index.json and one folder per component.</summary>
    DiffusersFolder,

    /// <summary>One .safetensors file in the original CompVis/Stability (LDM) key naming.</summary>
    SingleFile,
}

/// <summary>
/// A Stable Diffusion 1.x/2.x checkpoint opened for loading: per model, a config.json (read or inferred) and the
/// weights under diffusers/transformers names, whatever the layout on disk. Weights stay in the memory-mapped
/// files until a model loads them; dispose the checkpoint after loading.
/// </summary>
/// <remarks>
/// Only .safetensors weights are read. Pickle checkpoints (.ckpt, .pt, .pth, .bin) are refused, because
/// unpickling runs whatever code the file carries; the error says how to convert them.
/// </remarks>
public sealed partial class StableDiffusionCheckpoint : IDisposable
{
    private readonly List<IDisposable> owned;
    private bool disposed;

    private StableDiffusionCheckpoint(string path, CheckpointLayout layout, StableDiffusionFamily family, ModelComponent unet, ModelComponent vae,
        ModelComponent? textEncoder, ClipTextConfig? textEncoderConfig, string schedulerConfigJson, string? tokenizerPath,
        List<IDisposable> owned)
    {
        Path = path;
        Layout = layout;
        Family = family;
        Unet = unet;
        Vae = vae;
        TextEncoder = textEncoder;
        TextEncoderConfig = textEncoderConfig;
        SchedulerConfigJson = schedulerConfigJson;
        TokenizerPath = tokenizerPath;
        this.owned = owned;
    }

    /// <summary>The folder or file opened.</summary>
    public string Path { get; }

    public CheckpointLayout Layout { get; }

    /// <summary>SD 1.x or 2.x: for a single file as inferred (or given in the options); for a folder, SD 2.x when
    /// its text encoder uses gelu (OpenCLIP), else SD 1.x. The configs, not this value, drive model building.</summary>
    public StableDiffusionFamily Family { get; }

    /// <summary>UNet2DConditionModel: config.json text and weights with diffusers names.</summary>
    public ModelComponent Unet { get; }

    /// <summary>AutoencoderKL: config.json text and weights with diffusers names.</summary>
    public ModelComponent Vae { get; }

    /// <summary>CLIPTextModel config.json and weights with transformers names; null for a single file that
    /// carries no text encoder.</summary>
    public ModelComponent? TextEncoder { get; }

    /// <summary>The text encoder's parsed config; null when there is no text encoder.</summary>
    public ClipTextConfig? TextEncoderConfig { get; }

    /// <summary>A diffusers scheduler_config.json: the folder's own, or for a single file the config diffusers
    /// uses for that family (PNDM for SD 1.x, DDIM for SD 2.x) with the prediction type from the options.</summary>
    public string SchedulerConfigJson { get; }

    /// <summary>The tokenizer folder or vocab file found, or null when none was.</summary>
    public string? TokenizerPath { get; }

    /// <summary>
    /// Opens a diffusers folder (one holding model_index.json) or a single .safetensors file. Configs and
    /// every weight name are read and mapped now, so layout problems fail here; tensors are read later.
    /// </summary>
    public static StableDiffusionCheckpoint Open(string path, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CheckpointOptions();
        if (Directory.Exists(path)) return OpenFolder(System.IO.Path.GetFullPath(path), options);
        if (!File.Exists(path))
            throw new CheckpointException(path, "no such file or folder");
        CheckpointFiles.RefuseIfPickle(path);
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException(path, "not a checkpoint this loader reads: expected a diffusers folder (with model_index.json) or a .safetensors single file");
        return OpenSingleFile(System.IO.Path.GetFullPath(path), options);
    }

    /// <summary>Builds the text encoder from its config and loads its weights.</summary>
    public ClipTextModel LoadTextEncoder(ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (TextEncoder is null || TextEncoderConfig is null)
            throw new CheckpointException(Path, "the checkpoint has no text encoder (no 'cond_stage_model.' tensors)");
        var model = new ClipTextModel(TextEncoderConfig);
        try
        {
            TextEncoder.LoadInto(model, dtype, device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The tokenizer at <see cref="TokenizerPath"/>: a diffusers tokenizer folder keeps its own settings;
    /// openai's vocab file gets the family's layout (SD 2.x pads with "!").</summary>
    public ClipTokenizer LoadTokenizer()
    {
        if (TokenizerPath is null)
            throw new CheckpointException(Path, $"no tokenizer found; looked in {string.Join(", ", TokenizerSearchPaths(Path))}. Set CheckpointOptions.TokenizerPath");
        if (Directory.Exists(TokenizerPath)) return ClipTokenizer.FromDiffusersFolder(TokenizerPath);
        var layout = Family == StableDiffusionFamily.StableDiffusion2 ? ClipTokenizerOptions.StableDiffusion2 : ClipTokenizerOptions.StableDiffusion1;
        return ClipTokenizer.FromOpenAiBpeGz(TokenizerPath, layout);
    }

    /// <summary>
    /// Where a single file's tokenizer is looked for when <see cref="CheckpointOptions.TokenizerPath"/> is not
    /// set, in order: a diffusers <c>tokenizer/</c> folder beside the file, <c>bpe_simple_vocab_16e6.txt.gz</c>
    /// beside the file, and the same two under <c>tokenizer/</c> in the application's folder (where a
    /// deployment ships the CLIP vocabulary, which is the same for SD 1.x and 2.x).
    /// </summary>
    public static IReadOnlyList<string> TokenizerSearchPaths(string checkpointPath)
    {
        string beside = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(checkpointPath)) ?? ".";
        string app = System.IO.Path.Combine(AppContext.BaseDirectory, "tokenizer");
        return
        [
            System.IO.Path.Combine(beside, "tokenizer"),
            System.IO.Path.Combine(beside, VocabFileName),
            app,
            System.IO.Path.Combine(app, VocabFileName),
        ];
    }

    private const string VocabFileName = "bpe_simple_vocab_16e6.txt.gz";

    private static string? FindTokenizer(string checkpointPath, string? configured)
    {
        if (configured is not null)
        {
            if (Directory.Exists(configured) || File.Exists(configured)) return System.IO.Path.GetFullPath(configured);
            throw new CheckpointException(configured, "the configured tokenizer does not exist");
        }
        foreach (var candidate in TokenizerSearchPaths(checkpointPath))
        {
            bool folder = Directory.Exists(candidate) && File.Exists(System.IO.Path.Combine(candidate, "vocab.json"));
            if (folder || File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var d in owned) d.Dispose();
    }
}
