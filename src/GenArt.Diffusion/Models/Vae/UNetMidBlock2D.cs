using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>diffusers' UNetMidBlock2D as the VAE uses it: resnets.0, then (with add_attention) a single-head
/// attention over the feature map with group norm and residual (attentions.0), then resnets.1. No time
/// embedding.</summary>
public sealed class UNetMidBlock2D : Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly Attention? attention;

    public UNetMidBlock2D(long channels, int groups, double eps, bool addAttention)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>([new ResnetBlock2D(channels, channels, null, groups, eps)]));
        if (addAttention)
        {
            // one head whose dimension is the channel count (attention_head_dim = block_out_channels[-1])
            attention = Register("attentions", new ModuleList<Attention>()).AddAndReturn(new Attention(
                channels, null, 1, channels, bias: true, upcastSoftmax: true, normNumGroups: groups, eps: eps, residualConnection: true));
        }
        resnets.Add(new ResnetBlock2D(channels, channels, null, groups, eps));
    }

    public Tensor forward(Tensor x)
    {
        using var h = resnets[0].forward(x, null);
        if (attention is null) return resnets[1].forward(h, null);
        using var a = attention.forward(h);
        return resnets[1].forward(a, null);
    }
}
