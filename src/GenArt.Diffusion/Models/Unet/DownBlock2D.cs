using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>diffusers' DownBlock2D: ResnetBlock2Ds, then an optional stride-2 conv downsampler.</summary>
public sealed class DownBlock2D : Module, IUNetDownBlock
{
    private readonly ModuleList<ResnetBlock2D> resnets;
    private readonly ModuleList<Downsample2D>? downsamplers;

    internal DownBlock2D(UNetBlockSpec spec)
    {
        resnets = Register("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, spec.Layers).Select(i => spec.Resnet(i == 0 ? spec.InChannels : spec.OutChannels, spec.OutChannels))));
        if (spec.AddSample)
            downsamplers = Register("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(spec.OutChannels, spec.OutChannels, spec.DownsamplePadding)]));
    }

    public IReadOnlyList<Tensor> Forward(Tensor hidden, Tensor temb, Tensor encoderHiddenStates)
    {
        var outputs = new List<Tensor>();
        var h = hidden;
        foreach (var resnet in resnets)
        {
            h = resnet.forward(h, temb);
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
