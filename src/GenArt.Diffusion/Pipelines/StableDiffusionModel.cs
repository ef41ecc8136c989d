using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Schedulers;
using GenArt.Diffusion.Tokenization;
using GenArt.Torch;

namespace GenArt.Diffusion.Pipelines;

/// <summary>A loaded Stable Diffusion model: tokenizer, text encoder, UNet, VAE and scheduler config, on one
/// device in one dtype. Load once and share between generations (the pipeline never changes it).</summary>
public sealed class StableDiffusionModel : IDisposable
{
    public StableDiffusionModel(string name, ClipTokenizer tokenizer, ClipTextModel textEncoder, UNet2DConditionModel unet,
        AutoencoderKL vae, SchedulerConfig schedulerConfig, Device device, ScalarType dtype)
    {
        Name = name;
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        Unet = unet;
        Vae = vae;
        SchedulerConfig = schedulerConfig;
        Device = device;
        DType = dtype;
    }

    public string Name { get; }
    public ClipTokenizer Tokenizer { get; }
    public ClipTextModel TextEncoder { get; }
    public UNet2DConditionModel Unet { get; }
    public AutoencoderKL Vae { get; }
    public SchedulerConfig SchedulerConfig { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>Scheduler, steps and guidance for requests that leave them out (<see cref="GenerationDefaults"/>).</summary>
    public GenerationDefaults Defaults { get; init; } = GenerationDefaults.Standard;

    /// <summary>Pixels per latent cell (8 for every SD VAE).</summary>
    public int LatentScale => Vae.Config.DownsampleFactor;

    /// <summary>The side the model was trained at (UNet sample_size x latent scale).</summary>
    public int NativeSide => (Unet.Config.SampleSize?[0] ?? 64) * LatentScale;

    /// <summary>The largest side a request may ask for: four times the training side, at most 2048.</summary>
    public int MaxSide => Math.Min(4 * NativeSide, 2048);

    /// <summary>
    /// Loads a diffusers folder or a single-file .safetensors checkpoint. CPU runs in float32; on CUDA
    /// <paramref name="dtype"/> may be float16 or bfloat16 (weights are converted on load).
    /// </summary>
    public static StableDiffusionModel Load(string path, Device? device = null, ScalarType dtype = ScalarType.Float32, CheckpointOptions? options = null)
    {
        var target = device ?? Device.CPU;
        target.EnsureAvailable();
        if (target == Device.CPU && dtype != ScalarType.Float32)
            throw new ArgumentException($"CPU inference runs in float32; {dtype} is for CUDA devices", nameof(dtype));

        var defaults = GenerationDefaults.Read(path);
        using var checkpoint = StableDiffusionCheckpoint.Open(path, options);
        var tokenizer = checkpoint.LoadTokenizer();
        ClipTextModel? text = null;
        UNet2DConditionModel? unet = null;
        AutoencoderKL? vae = null;
        try
        {
            text = checkpoint.LoadTextEncoder(dtype, target);
            unet = new UNet2DConditionModel(UNetConfig.FromJson(checkpoint.Unet.ConfigJson));
            checkpoint.Unet.LoadInto(unet, dtype, target);
            vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(checkpoint.Vae.ConfigJson));
            // The VAE decodes in float32 when its config asks (force_upcast): SD's VAE overflows in float16.
            var vaeType = vae.Config.ForceUpcast ? ScalarType.Float32 : dtype;
            checkpoint.Vae.LoadInto(vae, vaeType, target);
            foreach (var m in new GenArt.Torch.Modules.Module[] { text, unet, vae }) m.Eval();
            string name = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path));
            return new StableDiffusionModel(name, tokenizer, text, unet, vae, SchedulerConfig.Parse(checkpoint.SchedulerConfigJson), target, dtype)
            {
                Defaults = defaults,
            };
        }
        catch
        {
            text?.Dispose();
            unet?.Dispose();
            vae?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        TextEncoder.Dispose();
        Unet.Dispose();
        Vae.Dispose();
    }
}
