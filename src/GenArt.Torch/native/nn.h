// Neural-network building blocks: linear and convolution layers, normalisation, activations with parameters,
// attention, resampling, padding, embedding and losses.
#pragma once
#include "common.h"

GAT_API gat_tensor gat_nn_linear(gat_tensor x, gat_tensor weight, gat_tensor bias);
GAT_API gat_tensor gat_nn_conv2d(gat_tensor x, gat_tensor weight, gat_tensor bias, const int64_t* stride,
                                 const int64_t* padding, const int64_t* dilation, int64_t groups);
GAT_API gat_tensor gat_nn_group_norm(gat_tensor x, int64_t groups, gat_tensor weight, gat_tensor bias, double eps);
GAT_API gat_tensor gat_nn_layer_norm(gat_tensor x, const int64_t* shape, int ndim, gat_tensor weight, gat_tensor bias,
                                     double eps);
GAT_API gat_tensor gat_nn_softmax(gat_tensor x, int64_t dim);
GAT_API gat_tensor gat_nn_log_softmax(gat_tensor x, int64_t dim);
// Attention over [..., L, D] queries and [..., S, D] keys/values. mask is optional (bool: true = attend, or
// additive float); scale <= 0 means 1/sqrt(D). Uses libtorch's fused kernel on libtorch >= 2.0.
GAT_API gat_tensor gat_nn_sdpa(gat_tensor q, gat_tensor k, gat_tensor v, gat_tensor mask, int is_causal, double scale);
// The same, always composed from matmul and softmax (the libtorch 1.13 path), for parity checks.
GAT_API gat_tensor gat_nn_sdpa_composed(gat_tensor q, gat_tensor k, gat_tensor v, gat_tensor mask, int is_causal,
                                        double scale);
GAT_API gat_tensor gat_nn_upsample_nearest2d(gat_tensor x, int64_t out_h, int64_t out_w);
GAT_API gat_tensor gat_nn_upsample_bilinear2d(gat_tensor x, int64_t out_h, int64_t out_w, int align_corners,
                                              int antialias);
GAT_API gat_tensor gat_nn_avg_pool2d(gat_tensor x, int64_t kernel, int64_t stride);
GAT_API gat_tensor gat_nn_pad(gat_tensor x, const int64_t* pads, int npads, double value);
GAT_API gat_tensor gat_nn_embedding(gat_tensor weight, gat_tensor indices);
GAT_API gat_tensor gat_nn_mse_loss(gat_tensor input, gat_tensor target, int reduction);
GAT_API gat_tensor gat_nn_dropout(gat_tensor x, double p, int train);
