using static GenArt.Torch.Internal.NativeMethods;

namespace GenArt.Torch;

public static unsafe partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless layers, as torch.nn.functional.</summary>
        public static class functional
        {
            public static Tensor linear(Tensor x, Tensor weight, Tensor? bias = null) =>
                Tensor.From(gat_nn_linear(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero), "linear");

            public static Tensor conv2d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

            public static Tensor conv2d(Tensor x, Tensor weight, Tensor? bias, (long H, long W) stride, (long H, long W) padding,
                (long H, long W) dilation, long groups = 1)
            {
                long* s = stackalloc long[] { stride.H, stride.W };
                long* p = stackalloc long[] { padding.H, padding.W };
                long* d = stackalloc long[] { dilation.H, dilation.W };
                return Tensor.From(gat_nn_conv2d(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, s, p, d, groups), "conv2d");
            }

            public static Tensor group_norm(Tensor x, long numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                Tensor.From(gat_nn_group_norm(x.Handle, numGroups, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps), "group_norm");

            public static Tensor layer_norm(Tensor x, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* s = normalizedShape)
                    return Tensor.From(gat_nn_layer_norm(x.Handle, s, normalizedShape.Length, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps), "layer_norm");
            }

            public static Tensor softmax(Tensor x, long dim) => Tensor.From(gat_nn_softmax(x.Handle, dim), "softmax");

            public static Tensor log_softmax(Tensor x, long dim) => Tensor.From(gat_nn_log_softmax(x.Handle, dim), "log_softmax");

            public static Tensor silu(Tensor x) => x.silu();

            public static Tensor sigmoid(Tensor x) => x.sigmoid();

            /// <summary>GELU; <paramref name="approximate"/> is "none" (exact, erf) or "tanh".</summary>
            public static Tensor gelu(Tensor x, string approximate = "none") => approximate switch
            {
                "none" => x.Unary(Internal.UnaryOp.Gelu),
                "tanh" => x.Unary(Internal.UnaryOp.GeluTanh),
                _ => throw new ArgumentException($"gelu approximation '{approximate}' is not one of none, tanh", nameof(approximate)),
            };

            /// <summary>x * sigmoid(1.702 x), CLIP's activation.</summary>
            public static Tensor quick_gelu(Tensor x) => x.Unary(Internal.UnaryOp.QuickGelu);

            /// <summary>softmax(q kᵀ · scale + mask) v over the last two dimensions. <paramref name="mask"/> is
            /// boolean (true = attend) or additive; <paramref name="scale"/> defaults to 1/sqrt(head dim). Runs
            /// libtorch's fused kernel on libtorch >= 2.0 and the composed form on 1.13.</summary>
            public static Tensor scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, bool isCausal = false, double? scale = null) =>
                Tensor.From(gat_nn_sdpa(q.Handle, k.Handle, v.Handle, mask?.Handle ?? IntPtr.Zero, isCausal ? 1 : 0, scale ?? 0), "scaled_dot_product_attention");

            /// <summary>The composed (matmul, softmax, matmul) attention on every libtorch, for parity checks.</summary>
            public static Tensor scaled_dot_product_attention_composed(Tensor q, Tensor k, Tensor v, Tensor? mask = null, bool isCausal = false, double? scale = null) =>
                Tensor.From(gat_nn_sdpa_composed(q.Handle, k.Handle, v.Handle, mask?.Handle ?? IntPtr.Zero, isCausal ? 1 : 0, scale ?? 0), "scaled_dot_product_attention");

            /// <summary>Nearest-neighbour resize of [N, C, H, W] to the given size.</summary>
            public static Tensor upsample_nearest2d(Tensor x, long outH, long outW) =>
                Tensor.From(gat_nn_upsample_nearest2d(x.Handle, outH, outW), "upsample_nearest2d");

            /// <summary>Nearest-neighbour resize by an integer factor (as interpolate(scale_factor=2.0, mode="nearest")).</summary>
            public static Tensor upsample_nearest2d(Tensor x, long scale)
            {
                var s = x.shape;
                return upsample_nearest2d(x, s[^2] * scale, s[^1] * scale);
            }

            public static Tensor upsample_bilinear2d(Tensor x, long outH, long outW, bool alignCorners = false, bool antialias = false) =>
                Tensor.From(gat_nn_upsample_bilinear2d(x.Handle, outH, outW, alignCorners ? 1 : 0, antialias ? 1 : 0), "upsample_bilinear2d");

            public static Tensor avg_pool2d(Tensor x, long kernel, long stride) => Tensor.From(gat_nn_avg_pool2d(x.Handle, kernel, stride), "avg_pool2d");

            /// <summary>Constant padding; <paramref name="pads"/> runs from the last dimension backwards (left, right, top, bottom ...).</summary>
            public static Tensor pad(Tensor x, long[] pads, double value = 0)
            {
                fixed (long* p = pads) return Tensor.From(gat_nn_pad(x.Handle, p, pads.Length, value), "pad");
            }

            public static Tensor embedding(Tensor indices, Tensor weight) => Tensor.From(gat_nn_embedding(weight.Handle, indices.Handle), "embedding");

            /// <summary>Mean squared error; reduction "mean", "sum" or "none".</summary>
            public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean") =>
                Tensor.From(gat_nn_mse_loss(input.Handle, target.Handle, reduction switch
                {
                    "none" => 0,
                    "mean" => 1,
                    "sum" => 2,
                    _ => throw new ArgumentException($"reduction '{reduction}' is not one of none, mean, sum", nameof(reduction)),
                }), "mse_loss");

            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true) => Tensor.From(gat_nn_dropout(x.Handle, p, training ? 1 : 0), "dropout");
        }
    }

    public static class optim
    {
        public static AdamW AdamW(IReadOnlyList<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false) =>
            new(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad);
    }
}
