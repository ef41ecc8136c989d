using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>
/// diffusers' Downsample2D with use_conv: a stride-2 3x3 conv named "conv". With padding 0 (the VAE encoder)
/// the input is first padded by one row and column on the bottom and right, as the original LDM autoencoder
/// does, so the output size is ceil(H/2) with the same alignment as the trained weights expect.
/// </summary>
public sealed class Downsample2D : Module
{
    private readonly Conv2d conv;
    private readonly int padding;

    public Downsample2D(long channels, long outChannels, int padding)
    {
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be >= 0");
        this.padding = padding;
        conv = Register("conv", new Conv2d(channels, outChannels, 3, stride: 2, padding: padding));
    }

    public Tensor forward(Tensor x)
    {
        if (padding != 0) return conv.forward(x);
        using var padded = F.pad(x, [0, 1, 0, 1]);
        return conv.forward(padded);
    }
}
