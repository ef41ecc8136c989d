using GenArt.Diffusion.Models.Vae;
using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Training;

/// <summary>
/// Trains an <see cref="AutoencoderKL"/> as a VAE: L1 reconstruction of a posterior sample plus a small KL term
/// toward N(0, 1) (per element), which keeps the latent space smooth without blurring the flat-colour images.
/// </summary>
public sealed class VaeTrainer : TrainingPhase
{
    private readonly AutoencoderKL vae;
    private readonly TrainingData data;

    public VaeTrainer(AutoencoderKL vae, TrainingData data, string folder, TrainingOptions options) : base(folder, options)
    {
        this.vae = vae;
        this.data = data;
        vae.UseSlicing = false;
    }

    /// <summary>Weight of the mean per-element KL divergence against the mean absolute reconstruction error.</summary>
    public double KlWeight { get; init; } = 1e-5;

    /// <summary>
    /// Side of the square window each training image is cut to, at a position drawn from the step's seed; 0 trains on
    /// whole images. The VAE is convolutional (its only attention sits in the mid block), so what it learns on crops
    /// carries over to whole images, and a crop of half the side costs a quarter: four times the images per CPU-second.
    /// </summary>
    public int CropSize { get; init; }

    /// <summary>
    /// Train only <see cref="AutoencoderKL.DecoderModules"/> on latents of the frozen encoder (L1 alone: the KL term
    /// has no gradient there). The latents stay what they were, so a denoiser already trained on them stays valid
    /// while the decoder learns to draw them more sharply.
    /// </summary>
    public bool DecoderOnly { get; init; }

    public override string Name => DecoderOnly ? "vae-decoder" : "vae";

    protected override int PhaseId => DecoderOnly ? 3 : 1;

    protected override IReadOnlyList<(string Prefix, Module Module)> TrainedModules =>
        DecoderOnly ? vae.DecoderModules.Select(m => (m.Name + ".", m.Module)).ToList() : [("", vae)];

    protected override Tensor Loss(long step, ulong stepSeed)
    {
        var examples = Batches.Examples(data, step, Options.BatchSize);
        if (CropSize > 0)
            for (int i = 0; i < examples.Length; i++)
                examples[i] = Crop(examples[i], CropSize, StepRandom.Uniform(stepSeed, 1000 + 2 * i), StepRandom.Uniform(stepSeed, 1001 + 2 * i));
        var images = Batches.Images(examples);
        using var generator = new Generator(stepSeed);
        using var posterior = DecoderOnly ? EncodeFrozen(images) : vae.Encode(images);
        var latents = posterior.Sample(generator);
        var reconstruction = vae.Decode(latents);
        var l1 = reconstruction.sub(images).abs().mean();
        if (DecoderOnly) return l1;
        var kl = posterior.Mean.square().add(posterior.Var).sub(1.0).sub(posterior.LogVar).mean().mul(0.5);
        return l1.add(kl.mul(KlWeight));
    }

    private DiagonalGaussianDistribution EncodeFrozen(Tensor images)
    {
        using var noGrad = torch.no_grad();
        return vae.Encode(images);
    }

    /// <summary>The <paramref name="size"/>-pixel square of <paramref name="example"/> whose corner sits at fractions
    /// <paramref name="u"/> (across) and <paramref name="v"/> (down) of the room left, both in [0, 1).</summary>
    public static TrainingExample Crop(TrainingExample example, int size, double u, double v)
    {
        int side = example.Size;
        if (size <= 0 || size > side) throw new ArgumentOutOfRangeException(nameof(size), size, $"a crop must be 1-{side} pixels");
        if (size == side) return example;
        int x0 = Math.Min((int)(u * (side - size + 1)), side - size);
        int y0 = Math.Min((int)(v * (side - size + 1)), side - size);
        var rgb = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            Array.Copy(example.Rgb, ((y0 + y) * side + x0) * 3, rgb, y * size * 3, size * 3);
        return new TrainingExample(rgb, size, example.Caption);
    }

    /// <summary>
    /// 1 / standard deviation of posterior samples over <paramref name="count"/> examples (from index
    /// <paramref name="start"/>): the scaling factor that gives the denoiser unit-variance latents, as SD's 0.18215 does.
    /// </summary>
    public static double MeasureScalingFactor(AutoencoderKL vae, TrainingData data, long start, int count, ulong seed)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator(seed);
        var samples = new List<Tensor>();
        for (int i = 0; i < count; i += 8)
        {
            var examples = Enumerable.Range(i, Math.Min(8, count - i)).Select(j => data(start + j)).ToArray();
            using var posterior = vae.Encode(Batches.Images(examples));
            samples.Add(posterior.Sample(generator));
        }
        double std = torch.cat(samples, 0).std().item<float>();
        return 1.0 / std;
    }
}
