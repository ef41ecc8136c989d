using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>
/// diffusers' ResnetBlock2D with time_embedding_norm "default": GroupNorm, SiLU, 3x3 conv, plus the projected
/// time embedding, GroupNorm, SiLU, dropout, 3x3 conv; a 1x1 conv_shortcut when the channel count changes;
/// (shortcut + h) / output_scale_factor. Without <c>tembChannels</c> (the VAE) there is no time_emb_proj.
/// </summary>
public sealed class ResnetBlock2D : Module
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear? timeEmbProj;
    private readonly GroupNorm norm2;
    private readonly Conv2d conv2;
    private readonly Conv2d? convShortcut;
    private readonly double outputScaleFactor;
    private readonly double dropout;

    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, int groups, double eps,
        double outputScaleFactor = 1.0, double dropout = 0.0)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        this.outputScaleFactor = outputScaleFactor;
        this.dropout = dropout;
        norm1 = Register("norm1", new GroupNorm(groups, inChannels, eps));
        conv1 = Register("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1));
        if (tembChannels is long t) timeEmbProj = Register("time_emb_proj", new Linear(t, outChannels));
        norm2 = Register("norm2", new GroupNorm(groups, outChannels, eps));
        conv2 = Register("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1));
        if (inChannels != outChannels) convShortcut = Register("conv_shortcut", new Conv2d(inChannels, outChannels, 1));
    }

    public long InChannels { get; }
    public long OutChannels { get; }

    /// <summary><paramref name="temb"/> is the time embedding [B, temb] before its activation (each block
    /// applies SiLU itself, as diffusers does).</summary>
    public Tensor forward(Tensor x, Tensor? temb)
    {
        using var scope = torch.NewDisposeScope();
        var h = BlockOps.SiluOwned(norm1.forward(x));
        h = conv1.forward(h);
        if (timeEmbProj is not null && temb is not null)
        {
            var t = timeEmbProj.forward(temb.silu());
            h = BlockOps.AddOwned(h, t.view(t.size(0), t.size(1), 1, 1));
        }
        h = BlockOps.SiluOwned(norm2.forward(h));
        h = BlockOps.Dropout(h, dropout, Training);
        h = conv2.forward(h);
        var shortcut = convShortcut is null ? x : convShortcut.forward(x);
        var output = shortcut.add(h);
        if (outputScaleFactor != 1.0) output = torch.is_grad_enabled() ? output.div(outputScaleFactor) : output.div_(outputScaleFactor);
        return output.MoveToOuterDisposeScope();
    }
}
