using GenArt.Diffusion.Models.Blocks;
using GenArt.Diffusion.Models.Unet;
using GenArt.Torch.Modules;

namespace GenArt.Benchmarks.Unet;

/// <summary>
/// Analytic multiply-add count of one UNet forward, from the module tree and the resolution each module runs
/// at: convolutions (2 * weights * output pixels), linear layers (2 * weights * tokens) and the two attention
/// matmuls (2 * 2 * N * M * inner). Norms, activations, softmax and additions are left out (well under 1%).
/// </summary>
internal static class FlopCounter
{
    public static double Count(UNet2DConditionModel unet, long batch, long latentH, long latentW, long textTokens)
    {
        int n = unet.Config.BlockCount;
        double flops = 0;
        foreach (var (name, module) in unet.NamedModules())
        {
            var parts = name.Split('.');
            (long h, long w) = Resolution(parts, n, latentH, latentW);
            long pixels = h * w;
            switch (module)
            {
                case Conv2d conv:
                    // a stride-2 conv writes a quarter of the pixels
                    long outPixels = conv.Stride == 2 ? (h / 2) * (w / 2) : pixels;
                    flops += 2.0 * conv.Weight.numel() * outPixels * batch;
                    break;
                case Linear linear:
                    long tokens = name.StartsWith("time_embedding", StringComparison.Ordinal) || name.EndsWith("time_emb_proj", StringComparison.Ordinal)
                        ? 1
                        : name.Contains("attn2.to_k", StringComparison.Ordinal) || name.Contains("attn2.to_v", StringComparison.Ordinal) ? textTokens : pixels;
                    flops += 2.0 * linear.Weight.numel() * tokens * batch;
                    break;
                case Attention attention:
                    long keys = name.EndsWith("attn2", StringComparison.Ordinal) ? textTokens : pixels;
                    flops += 4.0 * pixels * keys * attention.Heads * attention.HeadDim * batch;
                    break;
            }
        }
        return flops;
    }

    /// <summary>The input resolution of the module named by <paramref name="parts"/>.</summary>
    private static (long H, long W) Resolution(string[] parts, int blocks, long h, long w)
    {
        int level = parts[0] switch
        {
            "down_blocks" when parts.Length > 1 => int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            "mid_block" => blocks - 1,
            "up_blocks" when parts.Length > 1 => blocks - 1 - int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            _ => 0,
        };
        long sh = h >> level, sw = w >> level;
        // an up block's upsampler conv runs after the 2x nearest resize
        if (parts[0] == "up_blocks" && parts.Length > 2 && parts[2] == "upsamplers") { sh *= 2; sw *= 2; }
        return (sh, sw);
    }
}
