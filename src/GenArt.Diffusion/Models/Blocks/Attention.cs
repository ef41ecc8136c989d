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

        var q = toQ.forward(tokens);
        var k = toK.forward(context);
        var v = toV.forward(context);
        var merged = MultiHead(q, k, v, batch);
        var output = toOut.forward(BlockOps.Dropout(merged, dropout, Training));

        if (spatial) output = output.transpose(-1, -2).reshape(shape);
        if (residualConnection) output = BlockOps.AddOwned(output, x);
        if (rescaleOutputFactor != 1.0) output = output.div(rescaleOutputFactor);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Upper bound on the elements of one block of attention scores when libtorch has no fused
    /// attention (CPU libtorch 1.13); larger problems run in query chunks, so memory stays bounded (SD 2.x at
    /// 768 px would otherwise hold 3.4 GB of scores per batch of 2). Process-wide; results do not depend on it.</summary>
    public static long ScoreBudget
    {
        get => scoreBudget;
        set => scoreBudget = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be > 0");
    }

    private static long scoreBudget = 1L << 24;

    /// <summary>softmax(q kᵀ / sqrt(d)) v per head; q [B, N, H*d], k and v [B, M, H*d]; returns [B, N, H*d].</summary>
    private Tensor MultiHead(Tensor q, Tensor k, Tensor v, long batch)
    {
        long n = q.size(1), m = k.size(1);
        bool upcastHere = upcast && q.dtype != ScalarType.Float32 && q.dtype != ScalarType.Float64;
        if (torch.has_native_sdpa && !upcastHere)
        {
            // libtorch >= 2.1 (the GPU builds): the fused kernel never materialises the scores
            var fused = F.scaled_dot_product_attention(SplitHeads(q, batch), SplitHeads(k, batch), SplitHeads(v, batch));
            return fused.transpose(1, 2).reshape(batch, n, Heads * HeadDim);
        }

        // heads folded into the batch: [B*H, len, d] (diffusers' head_to_batch_dim)
        var q3 = ToBatch(q, batch, n);
        var k3 = ToBatch(k, batch, m);
        var v3 = ToBatch(v, batch, m);
        if (upcastHere)
        {
            q3 = q3.to(ScalarType.Float32);
            k3 = k3.to(ScalarType.Float32);
        }
        var kT = k3.transpose(1, 2);
        long bh = batch * Heads;
        Tensor attended;
        if (bh * n * m <= ScoreBudget)
        {
            using var probs = Probabilities(q3, kT, v.dtype);
            attended = probs.bmm(v3);
        }
        else
        {
            // blocks of whole heads, or of query rows within one head, each at most ScoreBudget scores: the
            // score buffer is reused from block to block instead of being faulted in afresh, and every matmul
            // keeps hundreds of rows
            attended = torch.empty([bh, n, HeadDim], v.dtype, v.device);
            long headsPerBlock = Math.Max(1, ScoreBudget / (n * m));
            long rowsPerBlock = headsPerBlock > 1 ? n : Math.Clamp(ScoreBudget / m, 1, n);
            for (long h0 = 0; h0 < bh; h0 += headsPerBlock)
            {
                long hc = Math.Min(headsPerBlock, bh - h0);
                using var qh = q3.narrow(0, h0, hc);
                using var kh = kT.narrow(0, h0, hc);
                using var vh = v3.narrow(0, h0, hc);
                for (long r0 = 0; r0 < n; r0 += rowsPerBlock)
                {
                    long rc = Math.Min(rowsPerBlock, n - r0);
                    using var qb = qh.narrow(1, r0, rc);
                    using var probs = Probabilities(qb, kh, v.dtype);
                    using var part = probs.bmm(vh);
                    using var target = attended.narrow(0, h0, hc);
                    using var rows = target.narrow(1, r0, rc);
                    rows.copy_(part);
                }
            }
        }
        return attended.view(batch, Heads, n, HeadDim).permute(0, 2, 1, 3).reshape(batch, n, Heads * HeadDim);
    }

    /// <summary>softmax(q kᵀ · scale) with the scale applied inside the matmul (baddbmm with beta 0, as
    /// diffusers' classic processor does), saving a pass over the scores.</summary>
    /// <remarks>Small products (contraction x rows x cols under 400) use bmm and a scale instead: libtorch 1.13's CPU
    /// baddbmm computes them with a plain loop that reads its uninitialised output buffer times beta, so 0 x NaN
    /// garbage could reach the scores. The scale is the same one float multiply the loop applies.</remarks>
    private Tensor Probabilities(Tensor q3, Tensor kT, ScalarType outputType)
    {
        double scale = 1.0 / Math.Sqrt(HeadDim);
        using var scores = q3.size(2) * q3.size(1) * kT.size(2) < 400
            ? q3.bmm(kT).mul_(scale)
            : Scores(q3, kT, scale);
        var probs = F.softmax(scores, -1);
        if (probs.dtype == outputType) return probs;
        using (probs) return probs.to(outputType);
    }

    private static Tensor Scores(Tensor q3, Tensor kT, double scale)
    {
        using var empty = torch.empty([q3.size(0), q3.size(1), kT.size(2)], q3.dtype, q3.device);
        return torch.baddbmm(empty, q3, kT, beta: 0, alpha: scale);
    }

    private Tensor ToBatch(Tensor t, long batch, long len) =>
        t.view(batch, len, Heads, HeadDim).permute(0, 2, 1, 3).reshape(batch * Heads, len, HeadDim);

    private Tensor SplitHeads(Tensor t, long batch) => t.view(batch, -1, Heads, HeadDim).transpose(1, 2);
}

internal static class ModuleListExtensions
{
    public static T AddAndReturn<T>(this ModuleList<T> list, T module) where T : Module
    {
        list.Add(module);
        return module;
    }
}
