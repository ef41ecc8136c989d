using GenArt.Diffusion.Loading;
using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Schedulers;
using GenArt.Diffusion.Tokenization;
using GenArt.Torch;

namespace GenArt.Diffusion.Training;

/// <summary>
/// Trains a whole text-to-image model from scratch in resumable stages under one checkpoint folder:
/// <c>tokenizer/</c> (BPE fitted to the captions), <c>vae/</c> (autoencoder steps), <c>vae-final/</c> (the finished
/// VAE with its measured scaling factor), <c>vae-decoder/</c> (optional decoder-only steps), <c>unet/</c> (UNet + text
/// encoder steps). A phase whose options keep a weight average (<see cref="TrainingOptions.AverageDecay"/>) hands on
/// the averaged weights. Each stage is skipped when its
/// output exists, and step checkpoints continue where the last run stopped.
/// </summary>
public sealed class BaseModelTrainer
{
    private readonly string root;
    private readonly BaseModelSpec spec;
    private readonly TrainingData data;

    public BaseModelTrainer(string checkpointFolder, BaseModelSpec spec, TrainingData data)
    {
        root = checkpointFolder;
        this.spec = spec;
        this.data = data;
    }

    public TrainingOptions VaeOptions { get; init; } = new() { Steps = 2000, LearningRate = 4e-4 };
    public TrainingOptions UnetOptions { get; init; } = new() { Steps = 10000, LearningRate = 3e-4 };

    /// <summary>A decoder-only VAE phase run once the VAE is final (<see cref="VaeTrainer.DecoderOnly"/>), before the
    /// UNet phase, whose latents it leaves unchanged; 0 steps (the default) skips it. Batch and crop as the VAE phase.</summary>
    public TrainingOptions VaeDecoderOptions { get; init; } = new() { Steps = 0, LearningRate = 1e-4 };

    /// <summary>Offset noise scale of the UNet phase (<see cref="UnetTrainer.NoiseOffset"/>).</summary>
    public double UnetNoiseOffset { get; init; }

    /// <summary>VAE training crop side (<see cref="VaeTrainer.CropSize"/>); 0 for whole images.</summary>
    public int VaeCropSize { get; init; }

    /// <summary>Crop side of the decoder-only phase; null for <see cref="VaeCropSize"/>. Whole images (0) show the
    /// decoder's mid-block attention and normalisation the statistics they see at inference.</summary>
    public int? VaeDecoderCropSize { get; init; }

    /// <summary>Examples whose captions the tokenizer is fitted to.</summary>
    public int TokenizerCorpusSize { get; init; } = 5000;
    public int TokenizerMerges { get; init; } = 400;
    /// <summary>Token sequence length (the text encoder's positions); the grammar's captions are far shorter.</summary>
    public int MaxTokens { get; init; } = 32;
    /// <summary>Examples the VAE's latent standard deviation is measured on.</summary>
    public int ScalingSamples { get; init; } = 256;

    public string TokenizerFolder => Path.Combine(root, "tokenizer");
    private string VaeFinalFolder => Path.Combine(root, "vae-final");

    /// <summary>Runs every unfinished stage, then writes the diffusers folder to <paramref name="outFolder"/>.</summary>
    public void Run(string outFolder, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var tokenizer = EnsureTokenizer();
        using var vae = EnsureVae(progress, cancel);
        if (vae is null) return;
        if (VaeDecoderOptions.Steps > 0)
        {
            var decoder = new VaeTrainer(vae, data, Path.Combine(root, "vae-decoder"), VaeDecoderOptions)
            {
                CropSize = VaeDecoderCropSize ?? VaeCropSize,
                DecoderOnly = true,
            };
            decoder.Run(progress, cancel);
            if (cancel.IsCancellationRequested) return;
            decoder.UseAveragedWeights();
        }
        var textConfig = TextEncoderConfigJson(tokenizer);
        using var unet = new UNet2DConditionModel(UNetConfig.FromJson(spec.UnetConfigJson));
        using var textEncoder = new ClipTextModel(ClipTextConfig.FromJson(textConfig));
        using (var init = new Generator(UnetOptions.Seed))
        {
            unet.ResetParameters(init);
            textEncoder.ResetParameters(init);
        }
        var schedule = NoiseSchedule.FromConfig(SchedulerConfig.Parse(spec.SchedulerConfigJson));
        var trainer = new UnetTrainer(unet, textEncoder, vae, tokenizer, schedule, data, Path.Combine(root, "unet"), UnetOptions)
        {
            NoiseOffset = UnetNoiseOffset,
        };
        trainer.Run(progress, cancel);
        if (cancel.IsCancellationRequested) return;
        trainer.UseAveragedWeights();
        Export(outFolder, unet, textEncoder, textConfig, vae);
    }

    private ClipTokenizer EnsureTokenizer()
    {
        if (!File.Exists(Path.Combine(TokenizerFolder, "merges.txt")))
        {
            var captions = Enumerable.Range(0, TokenizerCorpusSize).Select(i => data(i).Caption);
            VocabularyBuilder.Fit(captions, TokenizerMerges).Save(TokenizerFolder, MaxTokens);
        }
        return ClipTokenizer.FromDiffusersFolder(TokenizerFolder);
    }

    private string TextEncoderConfigJson(ClipTokenizer tokenizer) =>
        spec.TextEncoderConfigFor(tokenizer.Vocabulary.Count, tokenizer.StartOfTextId, tokenizer.EndOfTextId, tokenizer.Options.MaxLength);

    // Null when the run was cancelled before the VAE finished.
    private AutoencoderKL? EnsureVae(IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        string finalConfig = Path.Combine(VaeFinalFolder, "config.json");
        string finalWeights = Path.Combine(VaeFinalFolder, "diffusion_pytorch_model.safetensors");
        if (File.Exists(finalConfig) && File.Exists(finalWeights))
        {
            var done = new AutoencoderKL(AutoencoderKLConfig.FromJson(File.ReadAllText(finalConfig)));
            using var source = new GenArt.Torch.Modules.SafeTensorsSource(finalWeights);
            done.Load(source);
            return done;
        }
        var vae = new AutoencoderKL(AutoencoderKLConfig.FromJson(spec.VaeConfigJson));
        using (var init = new Generator(VaeOptions.Seed)) vae.ResetParameters(init);
        new VaeTrainer(vae, data, Path.Combine(root, "vae"), VaeOptions) { CropSize = VaeCropSize }.Run(progress, cancel);
        if (cancel.IsCancellationRequested)
        {
            vae.Dispose();
            return null;
        }
        // Measured on examples past the tokenizer corpus start, seeded apart from training noise.
        double scaling = VaeTrainer.MeasureScalingFactor(vae, data, 1_000_000, ScalingSamples, VaeOptions.Seed ^ 0x5CA1E);
        string configJson = BaseModelSpec.WithScalingFactor(spec.VaeConfigJson, scaling);
        string scratch = VaeFinalFolder + ".partial";
        Directory.CreateDirectory(scratch);
        GenArt.Torch.SafeTensors.SafeTensorsWriter.Save(Path.Combine(scratch, "diffusion_pytorch_model.safetensors"), vae.NamedParameters());
        File.WriteAllText(Path.Combine(scratch, "config.json"), configJson);
        if (Directory.Exists(VaeFinalFolder)) Directory.Delete(VaeFinalFolder, recursive: true);
        Directory.Move(scratch, VaeFinalFolder);
        vae.Dispose();
        return EnsureVae(progress, cancel);
    }

    /// <summary>Largest export kept in float32; above it weights are written as float16 to stay within budget.</summary>
    public long Float32ByteBudget { get; init; } = 30L * 1024 * 1024;

    private void Export(string outFolder, UNet2DConditionModel unet, ClipTextModel textEncoder, string textConfig, AutoencoderKL vae)
    {
        long parameters = unet.ParameterCount() + textEncoder.ParameterCount() + vae.ParameterCount();
        var dtype = parameters * 4 <= Float32ByteBudget ? ScalarType.Float32 : ScalarType.Float16;
        DiffusersFolderWriter.Save(outFolder,
            new(spec.UnetConfigJson, unet),
            new(File.ReadAllText(Path.Combine(VaeFinalFolder, "config.json")), vae),
            new(textConfig, textEncoder),
            TokenizerFolder, spec.SchedulerConfigJson, dtype);
    }
}
