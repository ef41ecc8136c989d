using GenArt.Torch;

namespace GenArt.Diffusion.Pipelines;

/// <summary>
/// A cheap preview of a denoising step: the 4 latent channels mapped linearly to RGB at latent resolution
/// (1/8 of the image), no VAE call. The coefficients are the widely used least-squares fit of SD 1.x/2.x
/// latents to their decoded colours; for other VAEs the colours are approximate, the shapes still show.
/// </summary>
public static class LatentPreview
{
    private static readonly float[] Factors =
    [
        0.298f, 0.207f, 0.208f,
        0.187f, 0.286f, 0.173f,
        -0.158f, 0.189f, 0.264f,
        -0.184f, -0.271f, -0.473f,
    ];

    /// <summary>One RGB image per batch row of <paramref name="latents"/> [B, 4, h, w].</summary>
    public static RgbImage[] ToRgb(Tensor latents)
    {
        using var scope = torch.NewDisposeScope();
        var shape = latents.shape;
        if (shape.Length != 4 || shape[1] != 4)
            throw new ArgumentException($"latents must be [B, 4, h, w], got [{string.Join(", ", shape)}]");
        var factors = torch.tensor<float>(Factors.AsSpan(), [4, 3]);
        // [B, 4, h, w] -> [B, h, w, 4] @ [4, 3] -> [B, h, w, 3], then [-1, 1] -> [0, 255]
        var rgb = latents.to(Device.CPU, ScalarType.Float32).permute(0, 2, 3, 1).matmul(factors);
        var bytes = ((rgb + 1.0) * 127.5).clamp(0, 255).round().to(ScalarType.Byte).contiguous();
        var result = new RgbImage[shape[0]];
        for (int b = 0; b < shape[0]; b++)
            result[b] = new RgbImage((int)shape[3], (int)shape[2], bytes.select(0, b).data<byte>());
        return result;
    }
}
