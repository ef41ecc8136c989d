using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>diffusers' CrossAttnDownBlock2D: (ResnetBlock2D, Transformer2DModel) pairs, then an optional
/// stride-2 conv downsampler (downsamplers.0).</summary>
public sealed class CrossAttnDownBlock2D : Module, IUNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Transformer2DModel> attentions;
    private readonly ModuleList<Downsample2D>? downsamplers;

    internal CrossAttnDownBlock2D(UNetBlockSpec spec)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>());
        attentions = Register("attentions", new ModuleList<Transformer2DModel>());
        for (int i = 0; i < spec.Layers; i++)
        {
            resnets.Add(spec.Resnet(i == 0 ? spec.InChannels : spec.OutChannels, spec.OutChannels));
            attentions.Add(spec.Transformer(spec.OutChannels));
        }
        if (spec.AddSample)
            downsamplers = Register("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(spec.OutChannels, spec.OutChannels, spec.DownsamplePadding)]));
    }

    public IReadOnlyList<Tensor> Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        var outputs = new List<Tensor>();
        var h = hidden;
        for (int i = 0; i < resnets.Count; i++)
        {
            using var r = resnets[i].forward(h, temb);
            h = attentions[i].forward(r, encoderHiddenStates);
            outputs.Add(h);
        }
        if (downsamplers is not null)
        {
            h = downsamplers[0].forward(h);
            outputs.Add(h);
        }
        return outputs;
    }
}
