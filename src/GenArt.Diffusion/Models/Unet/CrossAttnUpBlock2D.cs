using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>diffusers' CrossAttnUpBlock2D: for each layer, concatenate the next skip on channels, then a
/// ResnetBlock2D and a Transformer2DModel; then an optional nearest 2x upsampler with conv (upsamplers.0).</summary>
public sealed class CrossAttnUpBlock2D : Module, IUNetUpBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<Upsample2D>? upsamplers;

    internal CrossAttnUpBlock2D(UNetBlockSpec spec)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>());
        attentions = Register("attentions", new ModuleList<Transformer2DModel>());
        for (int i = 0; i < spec.Layers; i++)
        {
            resnets.Add(spec.Resnet(spec.UpResnetInChannels(i), spec.OutChannels));
            attentions.Add(spec.Transformer(spec.OutChannels));
        }
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
            var r = resnets[i].forward(cat, temb);
            cat.Dispose();
            h = attentions[i].forward(r, encoderHiddenStates);
            r.Dispose();
        }
        if (upsamplers is not null) h = upsamplers[0].forward(h, upsampleSize);
        return h.MoveToOuterDisposeScope();
    }
}
