using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>diffusers' UpDecoderBlock2D: ResnetBlock2Ds without time embedding, then an optional nearest 2x
/// upsampler with conv.</summary>
public sealed class UpDecoderBlock2D : Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    public UpDecoderBlock2D(long inChannels, long outChannels, int layers, int groups, double eps, bool addUpsample)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, eps))));
        if (addUpsample)
            upsamplers = Register("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels, outChannels)]));
    }

    public Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x;
        foreach (var resnet in resnets)
        {
            var next = resnet.forward(h, null);
            if (!ReferenceEquals(h, x)) h.Dispose();
            h = next;
        }
        if (upsamplers is not null)
        {
            var up = upsamplers[0].forward(h);
            if (!ReferenceEquals(h, x)) h.Dispose();
            h = up;
        }
        return ReferenceEquals(h, x) ? x.clone().MoveToOuterDisposeScope() : h.MoveToOuterDisposeScope();
    }
}
