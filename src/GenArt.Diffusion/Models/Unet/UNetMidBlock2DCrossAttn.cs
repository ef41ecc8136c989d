using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>diffusers' UNetMidBlock2DCrossAttn with one layer: resnets.0, attentions.0, resnets.1, the resnets
/// scaled by mid_block_scale_factor.</summary>
public sealed class UNetMidBlock2DCrossAttn : Module
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;

    internal UNetMidBlock2DCrossAttn(UNetBlockSpec spec)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>([spec.Resnet(spec.InChannels, spec.InChannels)]));
        attentions = Register("attentions", new ModuleList<Transformer2DModel>());
        for (int i = 0; i < spec.Layers; i++)
        {
            attentions.Add(spec.Transformer(spec.InChannels));
            resnets.Add(spec.Resnet(spec.InChannels, spec.InChannels));
        }
    }

    public Tensor Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        using var scope = torch.NewDisposeScope();
        var h = resnets[0].forward(hidden, temb);
        for (int i = 0; i < attentions.Count; i++)
        {
            var a = attentions[i].forward(h, encoderHiddenStates);
            h.Dispose();
            h = resnets[i + 1].forward(a, temb);
            a.Dispose();
        }
        return h.MoveToOuterDisposeScope();
    }
}
