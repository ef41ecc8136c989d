using GenArt.Torch;
using GenArt.Torch.Modules;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>diffusers' BasicTransformerBlock with norm_type "layer_norm": pre-norm self-attention (attn1),
/// cross-attention to the text embeddings (attn2), and a GEGLU feed-forward, each added to the residual.</summary>
public sealed class BasicTransformerBlock : Module
{
    private readonly LayerNorm norm1;
    private readonly Attention attn1;
    private readonly LayerNorm norm2;
    private readonly Attention attn2;
    private readonly LayerNorm norm3;
    private readonly FeedForward ff;

    public BasicTransformerBlock(long dim, int heads, long headDim, long crossAttentionDim, bool upcastAttention,
        double dropout = 0.0, double normEps = 1e-5)
    {
        norm1 = Register("norm1", new LayerNorm(dim, normEps));
        attn1 = Register("attn1", new Attention(dim, null, heads, headDim, upcastAttention: upcastAttention, dropout: dropout));
        norm2 = Register("norm2", new LayerNorm(dim, normEps));
        attn2 = Register("attn2", new Attention(dim, crossAttentionDim, heads, headDim, upcastAttention: upcastAttention, dropout: dropout));
        norm3 = Register("norm3", new LayerNorm(dim, normEps));
        ff = Register("ff", new FeedForward(dim, dropout: dropout));
    }

    /// <summary><paramref name="x"/> [B, N, dim]; <paramref name="encoderHiddenStates"/> [B, L, cross dim].</summary>
    public Tensor forward(Tensor x, Tensor encoderHiddenStates)
    {
        using var scope = torch.NewDisposeScope();
        var h = attn1.forward(norm1.forward(x)).add(x);
        h = BlockOps.AddOwned(attn2.forward(norm2.forward(h), encoderHiddenStates), h);
        h = BlockOps.AddOwned(ff.forward(norm3.forward(h)), h);
        return h.MoveToOuterDisposeScope();
    }
}
