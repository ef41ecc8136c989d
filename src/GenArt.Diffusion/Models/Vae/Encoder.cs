using GenArt.Diffusion.Models.Blocks;
using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Vae;

/// <summary>diffusers' VAE Encoder: conv_in, DownEncoderBlock2Ds (every block but the last halves the size),
/// the mid block, GroupNorm, SiLU and conv_out to 2 x latent channels (mean and log-variance).</summary>
public sealed class Encoder : Module
{
    private const double Eps = 1e-6;
    private readonly Conv2d convIn;
    private readonly ModuleList<DownEncoderBlock2D> downBlocks;
    private readonly UNetMidBlock2D midBlock;
    private readonly GroupNorm convNormOut;
    private readonly Conv2d convOut;

    public Encoder(AutoencoderKLConfig config)
    {
        var ch = config.BlockOutChannels;
        int n = ch.Length;
        convIn = Register("conv_in", new Conv2d(config.InChannels, ch[0], 3, padding: 1));
        downBlocks = Register("down_blocks", new ModuleList<DownEncoderBlock2D>());
        long output = ch[0];
        for (int i = 0; i < n; i++)
        {
            long input = output;
            output = ch[i];
            downBlocks.Add(new DownEncoderBlock2D(input, output, config.LayersPerBlock, config.NormNumGroups, Eps, addDownsample: i != n - 1));
        }
        midBlock = Register("mid_block", new UNetMidBlock2D(ch[n - 1], config.NormNumGroups, Eps, config.MidBlockAddAttention));
        convNormOut = Register("conv_norm_out", new GroupNorm(config.NormNumGroups, ch[n - 1], Eps));
        convOut = Register("conv_out", new Conv2d(ch[n - 1], 2 * config.LatentChannels, 3, padding: 1));
    }

    /// <param name="capture">Optional: diffusers' module names under "encoder." and their outputs (freed after
    /// the call: keep t.clone().DetachFromDisposeScope(), yours to dispose).</param>
    public Tensor forward(Tensor x, Action<string, Tensor>? capture = null)
    {
        using var scope = torch.NewDisposeScope();
        var h = convIn.forward(x);
        capture?.Invoke("conv_in", h);
        for (int i = 0; i < downBlocks.Count; i++)
        {
            var next = downBlocks[i].forward(h);
            h.Dispose();
            h = next;
            capture?.Invoke($"down_blocks.{i}", h);
        }
        var mid = midBlock.forward(h);
        h.Dispose();
        capture?.Invoke("mid_block", mid);
        var normed = convNormOut.forward(mid);
        mid.Dispose();
        capture?.Invoke("conv_norm_out", normed);
        var result = convOut.forward(BlockOps.SiluOwned(normed));
        capture?.Invoke("conv_out", result);
        return result.MoveToOuterDisposeScope();
    }
}
