using GenArt.Diffusion.Models.TextEncoder;
using GenArt.Diffusion.Models.Unet;
using GenArt.Diffusion.Models.Vae;
using GenArt.Diffusion.Schedulers;
using GenArt.Diffusion.Tokenization;
using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Training;

/// <summary>
/// Trains the denoiser and the text encoder together, as diffusers' train_text_to_image does for the UNet:
/// latents of a frozen VAE (scaled by its scaling factor), noise added at a uniformly drawn train timestep,
/// the UNet predicting that noise (epsilon, MSE), optionally with offset noise. A share of captions is replaced by
/// the empty prompt so the model also learns the unconditional prediction that classifier-free guidance subtracts.
/// </summary>
public sealed class UnetTrainer : TrainingPhase
{
    private readonly UNet2DConditionModel unet;
    private readonly ClipTextModel textEncoder;
    private readonly AutoencoderKL vae;
    private readonly ClipTokenizer tokenizer;
    private readonly NoiseSchedule schedule;
    private readonly TrainingData data;

    public UnetTrainer(UNet2DConditionModel unet, ClipTextModel textEncoder, AutoencoderKL vae, ClipTokenizer tokenizer,
        NoiseSchedule schedule, TrainingData data, string folder, TrainingOptions options) : base(folder, options)
    {
        this.unet = unet;
        this.textEncoder = textEncoder;
        this.vae = vae;
        this.tokenizer = tokenizer;
        this.schedule = schedule;
        this.data = data;
        vae.UseSlicing = false;
        vae.RequiresGrad(false);
        vae.Eval();
    }

    /// <summary>Probability that an example is trained with the empty caption.</summary>
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>Scale of the offset noise (see <see cref="OffsetNoise"/>); 0 trains on plain per-pixel noise.</summary>
    public double NoiseOffset
    {
        get => noiseOffset;
        init => noiseOffset = OffsetNoise.IsValidScale(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(NoiseOffset), value, $"the noise offset must lie in [0, {OffsetNoise.MaxScale}]");
    }

    private readonly double noiseOffset;

    public override string Name => "unet";

    protected override int PhaseId => 2;

    protected override IReadOnlyList<(string Prefix, Module Module)> TrainedModules =>
        [("unet.", unet), ("text_encoder.", textEncoder)];

    protected override Tensor Loss(long step, ulong stepSeed)
    {
        var examples = Batches.Examples(data, step, Options.BatchSize);
        int batch = examples.Length;
        using var generator = new Generator(stepSeed);
        Tensor latents;
        using (torch.no_grad())
        {
            using var posterior = vae.Encode(Batches.Images(examples));
            latents = vae.Scale(posterior.Sample(generator));
        }
        var noise = OffsetNoise.Add(torch.randn(latents.shape, generator), NoiseOffset, generator);
        var timesteps = new long[batch];
        var noisy = new Tensor[batch];
        var ids = new long[batch * tokenizer.Options.MaxLength];
        for (int i = 0; i < batch; i++)
        {
            timesteps[i] = Math.Min(schedule.TrainTimesteps - 1, (long)(StepRandom.Uniform(stepSeed, 2 * i) * schedule.TrainTimesteps));
            noisy[i] = schedule.AddNoise(latents.narrow(0, i, 1), noise.narrow(0, i, 1), timesteps[i]);
            bool drop = StepRandom.Uniform(stepSeed, 2 * i + 1) < CaptionDropout;
            var tokens = tokenizer.Tokenize(drop ? "" : examples[i].Caption).Ids;
            for (int j = 0; j < tokens.Length; j++) ids[i * tokens.Length + j] = tokens[j];
        }
        var hidden = textEncoder.Encode(torch.tensor(ids, batch, tokenizer.Options.MaxLength));
        var prediction = unet.forward(torch.cat(noisy, 0), torch.tensor(timesteps, batch), hidden);
        return F.mse_loss(prediction, noise);
    }
}
