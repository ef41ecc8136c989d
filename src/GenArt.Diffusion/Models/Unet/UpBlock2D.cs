using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>diffusers' UpBlock2D: for each layer, concatenate the next skip on channels and run a
/// ResnetBlock2D; then an optional nearest 2x upsampler with conv.</summary>
public sealed class UpBlock2D : Module, IUNetUpBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Upsample2D>? upsamplers;

    internal UpBlock2D(UNetBlockSpec spec)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, spec.Layers).Select(i => spec.Resnet(spec.UpResnetInChannels(i), spec.OutChannels))));
        if (spec.AddSample)
            upsamplers = Register("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(spec.OutChannels, spec.OutChannels)]));
    }

    public int SkipCount => resnets.Count;

    public Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor encoderHiddenStates, (long H, long W)? upsampleSize)
    {
        using var scope = torch.NewDisposeScope();
        var h = hidden;
        for (int i = 0; i < resnets.Count; i++)
        {
            var cat = torch.cat([h, skips[skips.Count - 1 - i]], 1);
            h = resnets[i].forward(cat, temb);
            cat.Dispose();
        }
        if (upsamplers is not null) h = upsamplers[0].forward(h, upsampleSize);
        return h.MoveToOuterDisposeScope();
    }
}
