using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>diffusers' Upsample2D with use_conv: nearest-neighbour 2x (or to an explicit size, when the UNet
/// input is not a multiple of its total downsampling factor), then a 3x3 conv named "conv".</summary>
public sealed class Upsample2D : Module
{
    private readonly Conv2d conv;

    public Upsample2D(long channels, long outChannels)
    {
        conv = Register("conv", new Conv2d(channels, outChannels, 3, padding: 1));
    }

    public Tensor forward(Tensor x, (long H, long W)? outputSize = null)
    {
        var s = x.shape;
        var (h, w) = outputSize ?? (s[2] * 2, s[3] * 2);
        using var up = F.upsample_nearest2d(x, h, w);
        return conv.forward(up);
    }
}
