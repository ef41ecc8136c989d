using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>
/// diffusers' Transformer2DModel for continuous (feature map) input: GroupNorm (eps 1e-6), proj_in, a stack of
/// BasicTransformerBlocks over the H*W tokens, proj_out, plus the input. proj_in/proj_out are 1x1 convolutions
/// applied before flattening (SD 1.x) or Linear layers applied to the tokens (use_linear_projection, SD 2.x).
/// </summary>
public sealed class Transformer2DModel : Module
{
    private readonly GroupNorm norm;
    private readonly Conv2d? projInConv;
    private readonly Linear? projInLinear;
    private readonly ModuleList<BasicTransformerBlock> blocks;
    private readonly Conv2d? projOutConv;
    private readonly Linear? projOutLinear;

    public Transformer2DModel(int heads, long headDim, long inChannels, int numLayers, long crossAttentionDim, int normNumGroups,
        bool useLinearProjection, bool upcastAttention, double dropout = 0.0)
    {
        long inner = heads * headDim;
        norm = Register("norm", new GroupNorm(normNumGroups, inChannels, 1e-6));
        if (useLinearProjection) projInLinear = Register("proj_in", new Linear(inChannels, inner));
        else projInConv = Register("proj_in", new Conv2d(inChannels, inner, 1));
        blocks = Register("transformer_blocks", new ModuleList<BasicTransformerBlock>(
            Enumerable.Range(0, numLayers).Select(_ => new BasicTransformerBlock(inner, heads, headDim, crossAttentionDim, upcastAttention, dropout))));
        if (useLinearProjection) projOutLinear = Register("proj_out", new Linear(inner, inChannels));
        else projOutConv = Register("proj_out", new Conv2d(inner, inChannels, 1));
    }

    public Tensor forward(Tensor x, Tensor encoderHiddenStates)
    {
        using var scope = torch.NewDisposeScope();
        var s = x.shape;
        long b = s[0], h = s[2], w = s[3];
        var hidden = norm.forward(x);
        if (projInConv is not null) hidden = projInConv.forward(hidden);
        long inner = hidden.size(1);
        hidden = hidden.permute(0, 2, 3, 1).reshape(b, h * w, inner);
        if (projInLinear is not null) hidden = projInLinear.forward(hidden);

        foreach (var block in blocks)
            hidden = block.forward(hidden, encoderHiddenStates);

        if (projOutLinear is not null) hidden = projOutLinear.forward(hidden);
        inner = hidden.size(2);
        hidden = hidden.reshape(b, h, w, inner).permute(0, 3, 1, 2).contiguous();
        if (projOutConv is not null) hidden = projOutConv.forward(hidden);
        return BlockOps.AddOwned(hidden, x).MoveToOuterDisposeScope();
    }
}
