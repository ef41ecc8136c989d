using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>diffusers' VAE Decoder: conv_in from the latent channels, the mid block, UpDecoderBlock2Ds (every
/// block but the last doubles the size), GroupNorm, SiLU and conv_out to image channels.</summary>
public sealed class Decoder : Module
{
    private const double Eps = 1e-6;
    private readonly Conv2d convIn;
    private readonly UNetMidBlock2D midBlock;
    private readonly ModuleList<UpDecoderBlock2D> upBlocks;
    private readonly GroupNorm convNormOut;
    private readonly Conv2d convOut;

    public Decoder(AutoencoderKLConfig config)
    {
        var ch = config.BlockOutChannels;
        int n = ch.Length;
        convIn = Register("conv_in", new Conv2d(config.LatentChannels, ch[n - 1], 3, padding: 1));
        midBlock = Register("mid_block", new UNetMidBlock2D(ch[n - 1], config.NormNumGroups, Eps, config.MidBlockAddAttention));
        upBlocks = Register("up_blocks", new ModuleList<UpDecoderBlock2D>());
        long output = ch[n - 1];
        for (int i = 0; i < n; i++)
        {
            long prev = output;
            output = ch[n - 1 - i];
            upBlocks.Add(new UpDecoderBlock2D(prev, output, config.LayersPerBlock + 1, config.NormNumGroups, Eps, addUpsample: i != n - 1));
        }
        convNormOut = Register("conv_norm_out", new GroupNorm(config.NormNumGroups, ch[0], Eps));
        convOut = Register("conv_out", new Conv2d(ch[0], config.OutChannels, 3, padding: 1));
    }

    /// <param name="capture">Optional: diffusers' module names under "decoder." and their outputs (freed after
    /// the call: keep t.clone().DetachFromDisposeScope(), yours to dispose).</param>
    public Tensor forward(Tensor z, Action<string, Tensor>? capture = null)
    {
        using var scope = torch.NewDisposeScope();
        var h = convIn.forward(z);
        capture?.Invoke("conv_in", h);
        var mid = midBlock.forward(h);
        h.Dispose();
        h = mid;
        capture?.Invoke("mid_block", h);
        for (int i = 0; i < upBlocks.Count; i++)
        {
            var next = upBlocks[i].forward(h);
            h.Dispose();
            h = next;
            capture?.Invoke($"up_blocks.{i}", h);
        }
        var normed = convNormOut.forward(h);
        h.Dispose();
        capture?.Invoke("conv_norm_out", normed);
        var result = convOut.forward(BlockOps.SiluOwned(normed));
        capture?.Invoke("conv_out", result);
        return result.MoveToOuterDisposeScope();
    }
}
