using GenArt.Torch;
using GenArt.Torch.Modules;
using F = GenArt.Torch.torch.nn.functional;

namespace GenArt.Diffusion.Models.Blocks;

/// <summary>
/// diffusers' Attention with its default processor: to_q, to_k, to_v, to_out.0, multi-head scaled dot-product
/// attention (scale 1/sqrt(head dim)); with <c>normNumGroups</c>, a group_norm on the input; with
/// <c>residualConnection</c>, the input added back; the result divided by <c>rescaleOutputFactor</c>.
/// </summary>
/// <remarks>
/// Two uses: the transformer attention of the UNet (3-D tokens [B, N, C], no q/k/v bias) and the VAE mid-block
/// attention (a 4-D feature map [B, C, H, W], one head, bias, group norm, residual). All four projection weights
/// are Linear, [out, in]. The original LDM autoencoder stores the VAE's q, k, v and proj_out as 1x1 convolutions
/// [C, C, 1, 1]: a loader for single-file checkpoints drops the two trailing unit dimensions (a view of the same
/// numbers) before loading them here.
/// With <c>upcastAttention</c> (SD 2.x) or <c>upcastSoftmax</c> (the VAE), half-precision models compute the
/// scores and softmax in float32, as diffusers' classic processor does, because fp16 scores overflow; in float32
/// both flags change nothing.
/// </remarks>
public sealed class Attention : Module
{
    private readonly GroupNorm? groupNorm;
    private readonly Linear toQ;
    private readonly Linear toK;
    private readonly Linear toV;
    private readonly Linear toOut;
    private readonly bool upcast;
    private readonly bool residualConnection;
    private readonly double rescaleOutputFactor;
    private readonly double dropout;

    public Attention(long queryDim, long? crossAttentionDim, int heads, long dimHead, bool bias = false, bool outBias = true,
        bool upcastAttention = false, bool upcastSoftmax = false, int? normNumGroups = null, double eps = 1e-5,
        bool residualConnection = false, double rescaleOutputFactor = 1.0, double dropout = 0.0)
    {
        if (heads <= 0 || dimHead <= 0) throw new ArgumentException($"attention needs heads ({heads}) and head dim ({dimHead}) > 0");
        Heads = heads;
        HeadDim = dimHead;
        long inner = heads * dimHead;
        long kvDim = crossAttentionDim ?? queryDim;
        upcast = upcastAttention || upcastSoftmax;
        this.residualConnection = residualConnection;
        this.rescaleOutputFactor = rescaleOutputFactor;
        this.dropout = dropout;
        if (normNumGroups is int g) groupNorm = Register("group_norm", new GroupNorm(g, queryDim, eps));
        toQ = Register("to_q", new Linear(queryDim, inner, bias));
        toK = Register("to_k", new Linear(kvDim, inner, bias));
        toV = Register("to_v", new Linear(kvDim, inner, bias));
        // to_out is [Linear, Dropout] in diffusers; only index 0 has weights
        toOut = Register("to_out", new ModuleList<Linear>()).AddAndReturn(new Linear(inner, queryDim, outBias));
    }

    public int Heads { get; }
    public long HeadDim { get; }

    /// <summary>Self-attention when <paramref name="encoderHiddenStates"/> is null, else cross-attention to it.
    /// <paramref name="x"/> is [B, N, C] or a feature map [B, C, H, W].</summary>
    public Tensor forward(Tensor x, Tensor? encoderHiddenStates = null)
    {
        using var scope = torch.NewDisposeScope();
        var shape = x.shape;
        bool spatial = shape.Length == 4;
        long batch = shape[0];

        var normed = groupNorm is null ? x : groupNorm.forward(x);
        var tokens = spatial ? normed.view(batch, shape[1], shape[2] * shape[3]).transpose(1, 2) : normed;
        var context = encoderHiddenStates ?? tokens;

        var q = SplitHeads(toQ.forward(tokens), batch);
        var k = SplitHeads(toK.forward(context), batch);
        var v = SplitHeads(toV.forward(context), batch);
        var attended = upcast && q.dtype != ScalarType.Float32 && q.dtype != ScalarType.Float64
            ? UpcastAttention(q, k, v)
            : F.scaled_dot_product_attention(q, k, v);
        var merged = attended.transpose(1, 2).reshape(batch, -1, Heads * HeadDim);
        var output = toOut.forward(BlockOps.Dropout(merged, dropout, Training));

        if (spatial) output = output.transpose(-1, -2).reshape(shape);
        if (residualConnection) output = BlockOps.AddOwned(output, x);
        if (rescaleOutputFactor != 1.0) output = output.div(rescaleOutputFactor);
        return output.MoveToOuterDisposeScope();
    }

    private Tensor SplitHeads(Tensor t, long batch) => t.view(batch, -1, Heads, HeadDim).transpose(1, 2);

    /// <summary>Scores and softmax in float32, probabilities back in the model's dtype (diffusers'
    /// get_attention_scores with upcast_attention and upcast_softmax).</summary>
    private Tensor UpcastAttention(Tensor q, Tensor k, Tensor v)
    {
        var scores = q.to(ScalarType.Float32).matmul(k.to(ScalarType.Float32).transpose(-1, -2)).mul_(1.0 / Math.Sqrt(HeadDim));
        var probs = F.softmax(scores, -1).to(v.dtype);
        return probs.matmul(v);
    }
}

internal static class ModuleListExtensions
{
    public static T AddAndReturn<T>(this ModuleList<T> list, T module) where T : Module
    {
        list.Add(module);
        return module;
    }
}
