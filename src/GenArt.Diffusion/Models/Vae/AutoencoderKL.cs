using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>
/// diffusers' AutoencoderKL built from its config.json: images [B, 3, H, W] in [-1, 1] to a Gaussian posterior
/// over latents [B, latent_channels, H/8, W/8] and back. Parameter names equal the diffusers checkpoint keys.
/// </summary>
/// <remarks>
/// <see cref="Decode"/> takes latents as the VAE produced them: the pipeline divides by
/// <see cref="ScalingFactor"/> (and adds <see cref="ShiftFactor"/>) first, see <see cref="Unscale"/>.
/// Single-file (LDM) checkpoints store the mid-block attention projections q, k, v, proj_out as [C, C, 1, 1]
/// convolutions; this model expects them as [C, C] Linear weights under
/// encoder/decoder.mid_block.attentions.0.to_q/to_k/to_v/to_out.0 (see <see cref="Blocks.Attention"/>).
/// </remarks>
public sealed class AutoencoderKL : Module
{
    private readonly Encoder encoder;
    private readonly Decoder decoder;
    private readonly Conv2d? quantConv;
    private readonly Conv2d? postQuantConv;

    public AutoencoderKL(AutoencoderKLConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        encoder = Register("encoder", new Encoder(config));
        decoder = Register("decoder", new Decoder(config));
        int latent = config.LatentChannels;
        if (config.UseQuantConv) quantConv = Register("quant_conv", new Conv2d(2 * latent, 2 * latent, 1));
        if (config.UsePostQuantConv) postQuantConv = Register("post_quant_conv", new Conv2d(latent, latent, 1));
    }

    public AutoencoderKLConfig Config { get; }

    /// <summary>The modules that turn latents into images, under their diffusers names: post_quant_conv (when the
    /// config has one) and decoder. Training only these leaves the latent space, and any denoiser trained on it, as it is.</summary>
    public IReadOnlyList<(string Name, Module Module)> DecoderModules =>
        postQuantConv is null ? [("decoder", decoder)] : [("post_quant_conv", postQuantConv), ("decoder", decoder)];

    public double ScalingFactor => Config.ScalingFactor;

    public double? ShiftFactor => Config.ShiftFactor;

    /// <summary>Encode and decode one batch element at a time, so activation memory does not grow with the
    /// batch (diffusers' enable_slicing). The results are identical.</summary>
    public bool UseSlicing { get; set; } = true;

    /// <summary>The latent distribution of <paramref name="image"/> [B, in_channels, H, W] (H and W multiples
    /// of <see cref="AutoencoderKLConfig.DownsampleFactor"/>). Dispose the result.</summary>
    /// <param name="capture">Optional: diffusers' module names (encoder.*, quant_conv) and outputs, freed after
    /// the call.</param>
    public DiagonalGaussianDistribution Encode(Tensor image, Action<string, Tensor>? capture = null)
    {
        using var scope = torch.NewDisposeScope();
        var moments = Sliced(image, x => EncodeMoments(x, capture));
        return new DiagonalGaussianDistribution(moments);
    }

    /// <summary>Images [B, out_channels, 8h, 8w] (about [-1, 1]) from latents [B, latent_channels, h, w],
    /// owned by the caller's scope.</summary>
    /// <param name="capture">Optional: diffusers' module names (post_quant_conv, decoder.*) and outputs, freed
    /// after the call.</param>
    public Tensor Decode(Tensor latents, Action<string, Tensor>? capture = null)
    {
        var s = latents.shape;
        if (s.Length != 4 || s[1] != Config.LatentChannels)
            throw new ArgumentException($"latents must be [B, {Config.LatentChannels}, h, w], got [{string.Join(", ", s)}]", nameof(latents));
        return Sliced(latents, z => DecodeOne(z, capture));
    }

    /// <summary>Latents as the denoiser sees them: (mean or sample - shift) * scaling_factor.</summary>
    public Tensor Scale(Tensor latents) =>
        ShiftFactor is double shift ? latents.sub(shift).mul(ScalingFactor) : latents.mul(ScalingFactor);

    /// <summary>The inverse of <see cref="Scale"/>: what <see cref="Decode"/> expects.</summary>
    public Tensor Unscale(Tensor latents) =>
        ShiftFactor is double shift ? latents.div(ScalingFactor).add(shift) : latents.div(ScalingFactor);

    private Tensor EncodeMoments(Tensor x, Action<string, Tensor>? capture)
    {
        var s = x.shape;
        if (s.Length != 4 || s[1] != Config.InChannels)
            throw new ArgumentException($"image must be [B, {Config.InChannels}, H, W], got [{string.Join(", ", s)}]", nameof(x));
        using var scope = torch.NewDisposeScope();
        var h = encoder.forward(x, capture is null ? null : (name, t) => capture("encoder." + name, t));
        if (quantConv is not null)
        {
            h = quantConv.forward(h);
            capture?.Invoke("quant_conv", h);
        }
        return h.MoveToOuterDisposeScope();
    }

    private Tensor DecodeOne(Tensor z, Action<string, Tensor>? capture)
    {
        using var scope = torch.NewDisposeScope();
        var h = z;
        if (postQuantConv is not null)
        {
            h = postQuantConv.forward(z);
            capture?.Invoke("post_quant_conv", h);
        }
        return decoder.forward(h, capture is null ? null : (name, t) => capture("decoder." + name, t)).MoveToOuterDisposeScope();
    }

    private Tensor Sliced(Tensor batch, Func<Tensor, Tensor> run)
    {
        long b = batch.size(0);
        if (!UseSlicing || b <= 1) return run(batch);
        using var scope = torch.NewDisposeScope();
        var parts = new Tensor[b];
        for (long i = 0; i < b; i++)
        {
            using var one = batch.narrow(0, i, 1);
            parts[i] = run(one);
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }
}
