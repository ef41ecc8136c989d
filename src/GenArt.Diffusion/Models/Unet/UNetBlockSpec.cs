using GenArt.Diffusion.Models.Blocks;

namespace GenArt.Diffusion.Models.Unet;

/// <summary>The resolved options of one UNet block (diffusers' get_down_block / get_up_block arguments).</summary>
internal sealed record UNetBlockSpec(
    int Layers,
    int TransformerLayers,
    long InChannels,
    long OutChannels,
    long PrevOutputChannels,
    long TembChannels,
    bool AddSample,
    int Groups,
    double Eps,
    double OutputScaleFactor,
    double Dropout,
    int Heads,
    long CrossAttentionDim,
    bool UseLinearProjection,
    bool UpcastAttention,
    int DownsamplePadding)
{
    public ResnetBlock2D Resnet(long inChannels, long outChannels) =>
        new(inChannels, outChannels, TembChannels, Groups, Eps, OutputScaleFactor, Dropout);

    public Transformer2DModel Transformer(long channels) =>
        new(Heads, channels / Heads, channels, TransformerLayers, CrossAttentionDim, Groups, UseLinearProjection, UpcastAttention, Dropout);

    /// <summary>Input channels of an up block's resnet <paramref name="i"/>: the previous output (or the block
    /// below's output for the first) plus the skip it concatenates (the matching down block's input channels
    /// for the last).</summary>
    public long UpResnetInChannels(int i)
    {
        long skip = i == Layers - 1 ? InChannels : OutChannels;
        long previous = i == 0 ? PrevOutputChannels : OutChannels;
        return previous + skip;
    }
}
