using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.TextEncoder;

/// <summary>transformers' CLIPAttention: multi-head self-attention with q/k/v/out projections.</summary>
public sealed class ClipAttention : Module
{
    private readonly Linear qProj;
    private readonly Linear kProj;
    private readonly Linear vProj;
    private readonly Linear outProj;
    private readonly long heads;

    public ClipAttention(ClipTextConfig config)
    {
        heads = config.NumAttentionHeads;
        kProj = Register("k_proj", new Linear(config.HiddenSize, config.HiddenSize));
        vProj = Register("v_proj", new Linear(config.HiddenSize, config.HiddenSize));
        qProj = Register("q_proj", new Linear(config.HiddenSize, config.HiddenSize));
        outProj = Register("out_proj", new Linear(config.HiddenSize, config.HiddenSize));
    }

    /// <summary>x [batch, seq, hidden] attended with the causal mask: position i sees positions 0..i only,
    /// which is how CLIP's text tower was trained and how Stable Diffusion runs it (no padding mask).</summary>
    public Tensor forward(Tensor x)
    {
        long batch = x.size(0), seq = x.size(1), hidden = x.size(2);
        using var q = SplitHeads(qProj.forward(x), batch, seq);
        using var k = SplitHeads(kProj.forward(x), batch, seq);
        using var v = SplitHeads(vProj.forward(x), batch, seq);
        using var attended = F.scaled_dot_product_attention(q, k, v, isCausal: true);
        using var merged = attended.transpose(1, 2);
        using var flat = merged.reshape(batch, seq, hidden);
        return outProj.forward(flat);
    }

    // [batch, seq, hidden] -> [batch, heads, seq, head_dim]; takes ownership of the projection.
    private Tensor SplitHeads(Tensor projected, long batch, long seq)
    {
        using (projected)
        using (var view = projected.view(batch, seq, heads, -1))
            return view.transpose(1, 2);
    }
}
