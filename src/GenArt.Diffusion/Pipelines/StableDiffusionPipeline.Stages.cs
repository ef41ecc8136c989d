using GenArt.Diffusion.Schedulers;
using GenArt.Torch;

namespace GenArt.Diffusion.Pipelines;

public sealed partial class StableDiffusionPipeline
{
    /// <summary>[2B, 77, D]: the negative prompts' embeddings then the prompts', from one text-encoder call.</summary>
    private Tensor EncodePrompts(IReadOnlyList<SampleRequest> samples, int clipSkip, List<string>[] warnings)
    {
        using var scope = torch.NewDisposeScope();
        var tokenizer = Model.Tokenizer;
        int length = tokenizer.Options.MaxLength;
        var ids = new long[2 * samples.Count * length];
        for (int s = 0; s < samples.Count; s++)
        {
            var negative = tokenizer.Tokenize(samples[s].NegativePrompt ?? "");
            var positive = tokenizer.Tokenize(samples[s].Prompt);
            if (positive.Truncated)
                warnings[s].Add($"prompt truncated to {length} tokens: {positive.DroppedTokenCount} token(s) dropped");
            if (negative.Truncated)
                warnings[s].Add($"negative prompt truncated to {length} tokens: {negative.DroppedTokenCount} token(s) dropped");
            Copy(negative.Ids, ids, s * length);
            Copy(positive.Ids, ids, (samples.Count + s) * length);
        }
        var input = torch.tensor<long>(ids.AsSpan(), [2 * samples.Count, length], Model.Device);
        return Model.TextEncoder.Encode(input, clipSkip).to(Model.DType).MoveToOuterDisposeScope();
    }

    private static void Copy(int[] from, long[] to, int offset)
    {
        for (int i = 0; i < from.Length; i++) to[offset + i] = from[i];
    }

    private Tensor InitialNoiseLatents(GenerationSettings settings, int count, IScheduler scheduler, List<Generator> generators)
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [1, Model.Unet.Config.InChannels, settings.Height / Model.LatentScale, settings.Width / Model.LatentScale];
        var parts = generators.Take(count).Select(g => torch.randn(shape, g)).ToList();
        var latents = torch.cat(parts).to(Model.Device, Model.DType);
        if (scheduler.InitNoiseSigma != 1.0) latents = latents.mul(scheduler.InitNoiseSigma);
        return latents.MoveToOuterDisposeScope();
    }

    /// <summary>img2img: each init image encoded and sampled from the VAE posterior with its sample's generator, then
    /// noised to the start step with the same generator's next draw (the reference pipeline's order).</summary>
    private Tensor InitialImageLatents(GenerationSettings settings, IReadOnlyList<SampleRequest> samples, IScheduler scheduler,
        List<Generator> generators, int start)
    {
        using var scope = torch.NewDisposeScope();
        var parts = new List<Tensor>();
        for (int s = 0; s < samples.Count; s++)
        {
            var image = ImageTensors.ToTensor(samples[s].InitImage!, Model.Device, Model.Vae.Parameters().First().dtype);
            using var posterior = Model.Vae.Encode(image);
            var clean = Model.Vae.Scale(posterior.Sample(generators[s])).to(Model.DType);
            var noise = torch.randn(clean.shape, generators[s]).to(Model.Device, Model.DType);
            parts.Add(scheduler.AddNoise(clean, noise, start));
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    private RgbImage[] Decode(Tensor latents, Action<string, Tensor>? capture)
    {
        using var scope = torch.NewDisposeScope();
        var vaeType = Model.Vae.Parameters().First().dtype;
        var decoded = Model.Vae.Decode(Model.Vae.Unscale(latents.to(vaeType)));
        capture?.Invoke("decoded", decoded);
        return ImageTensors.ToImages(decoded);
    }
}
