using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>diffusers' TimestepEmbedding: linear_1, SiLU, linear_2 (no condition projection, no post
/// activation).</summary>
public sealed class TimestepEmbedding : Module
{
    private readonly Linear linear1;
    private readonly Linear linear2;

    public TimestepEmbedding(long inChannels, long timeEmbedDim)
    {
        linear1 = Register("linear_1", new Linear(inChannels, timeEmbedDim));
        linear2 = Register("linear_2", new Linear(timeEmbedDim, timeEmbedDim));
    }

    public Tensor forward(Tensor sample)
    {
        using var h = BlockOps.SiluOwned(linear1.forward(sample));
        return linear2.forward(h);
    }
}

/// <summary>The sinusoidal timestep embedding (diffusers' get_timestep_embedding, the time_proj module).</summary>
public static class TimestepProjection
{
    /// <summary>
    /// [B] timesteps to [B, dim] float32: frequencies exp(-ln(maxPeriod) * i / (dim/2 - shift)), then sin and
    /// cos of t * frequency, concatenated as [cos, sin] with <paramref name="flipSinToCos"/>, else [sin, cos];
    /// an odd <paramref name="dim"/> is padded with one zero column.
    /// </summary>
    /// <remarks>The operations and their order follow the reference in float32 exactly: at t near 1000 a
    /// rounding difference in the frequency would move the phase by ~1e-4.</remarks>
    public static Tensor Sinusoidal(Tensor timesteps, int dim, bool flipSinToCos, double downscaleFreqShift,
        double scale = 1.0, double maxPeriod = 10000)
    {
        if (timesteps.ndim != 1) throw new ArgumentException($"timesteps must be 1-D, got [{string.Join(", ", timesteps.shape)}]", nameof(timesteps));
        using var scope = torch.NewDisposeScope();
        int half = dim / 2;
        var exponent = torch.arange(0, half, 1, ScalarType.Float32, timesteps.device).mul(-Math.Log(maxPeriod));
        exponent = exponent.div(half - downscaleFreqShift);
        var freqs = exponent.exp();
        var args = timesteps.to(ScalarType.Float32).unsqueeze(1).mul(freqs.unsqueeze(0));
        if (scale != 1.0) args = args.mul(scale);
        var sin = args.sin();
        var cos = args.cos();
        var emb = flipSinToCos ? torch.cat([cos, sin], -1) : torch.cat([sin, cos], -1);
        if (dim % 2 == 1) emb = torch.nn.functional.pad(emb, [0, 1]);
        return emb.MoveToOuterDisposeScope();
    }
}
