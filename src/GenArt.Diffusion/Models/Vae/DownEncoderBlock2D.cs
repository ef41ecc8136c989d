using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>diffusers' DownEncoderBlock2D: ResnetBlock2Ds without time embedding, then an optional
/// downsampler that pads bottom/right by one and applies a stride-2 conv (padding 0).</summary>
public sealed class DownEncoderBlock2D : Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    public DownEncoderBlock2D(long inChannels, long outChannels, int layers, int groups, double eps, bool addDownsample)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps))));
        if (addDownsample)
            downsamplers = Register("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels, outChannels, padding: 0)]));
    }

    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets) h = resnet.forward(h, null);
        if (downsamplers is not null) h = downsamplers[0].forward(h);
        return ReferenceEquals(h, x) ? x.clone().MoveToOuterDisposeScope() : h.MoveToOuterDisposeScope();
    }
}
