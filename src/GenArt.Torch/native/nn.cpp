#include "nn.h"

#include <cmath>

using gat::opt;
using gat::wrap;

gat_tensor gat_nn_linear(gat_tensor x, gat_tensor weight, gat_tensor bias) {
  GAT_TRY
  return wrap(at::linear(*x, *weight, opt(bias)));
  GAT_CATCH("linear", nullptr)
}

gat_tensor gat_nn_conv2d(gat_tensor x, gat_tensor weight, gat_tensor bias, const int64_t* stride,
                         const int64_t* padding, const int64_t* dilation, int64_t groups) {
  GAT_TRY
  return wrap(at::conv2d(*x, *weight, opt(bias), gat::dims(stride, 2), gat::dims(padding, 2), gat::dims(dilation, 2),
                         groups));
  GAT_CATCH("conv2d", nullptr)
}

gat_tensor gat_nn_group_norm(gat_tensor x, int64_t groups, gat_tensor weight, gat_tensor bias, double eps) {
  GAT_TRY
  return wrap(at::group_norm(*x, groups, opt(weight), opt(bias), eps));
  GAT_CATCH("group_norm", nullptr)
}

gat_tensor gat_nn_layer_norm(gat_tensor x, const int64_t* shape, int ndim, gat_tensor weight, gat_tensor bias,
                             double eps) {
  GAT_TRY
  return wrap(at::layer_norm(*x, gat::dims(shape, ndim), opt(weight), opt(bias), eps));
  GAT_CATCH("layer_norm", nullptr)
}

gat_tensor gat_nn_softmax(gat_tensor x, int64_t dim) {
  GAT_TRY
  return wrap(at::softmax(*x, dim));
  GAT_CATCH("softmax", nullptr)
}

gat_tensor gat_nn_log_softmax(gat_tensor x, int64_t dim) {
  GAT_TRY
  return wrap(at::log_softmax(*x, dim));
  GAT_CATCH("log_softmax", nullptr)
}

namespace {

at::Tensor sdpa_composed(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor* mask,
                         bool is_causal, double scale) {
  TORCH_CHECK(q.dim() >= 2 && k.dim() == q.dim() && v.dim() == q.dim(),
              "query, key and value must have the same rank (>= 2), got ", q.sizes(), ", ", k.sizes(), ", ", v.sizes());
  const int64_t d = q.size(-1);
  const double s = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(d));
  auto scores = at::matmul(q, k.transpose(-2, -1)).mul_(s);
  if (is_causal) {
    const int64_t l = q.size(-2), n = k.size(-2);
    auto keep = at::ones({l, n}, q.options().dtype(at::kBool)).tril();
    scores.masked_fill_(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask) {
    if (mask->scalar_type() == at::kBool) {
      scores.masked_fill_(mask->logical_not(), -std::numeric_limits<double>::infinity());
    } else {
      scores.add_(*mask);
    }
  }
  return at::matmul(at::softmax(scores, -1), v);
}

}  // namespace

gat_tensor gat_nn_sdpa(gat_tensor q, gat_tensor k, gat_tensor v, gat_tensor mask, int is_causal, double scale) {
  GAT_TRY
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  c10::optional<double> sc = scale > 0 ? c10::optional<double>(scale) : c10::nullopt;
  return wrap(at::scaled_dot_product_attention(*q, *k, *v, opt(mask), 0.0, is_causal != 0, sc));
#elif TORCH_VERSION_MAJOR == 2
  if (scale <= 0) return wrap(at::scaled_dot_product_attention(*q, *k, *v, opt(mask), 0.0, is_causal != 0));
  return wrap(sdpa_composed(*q, *k, *v, mask, is_causal != 0, scale));
#else
  return wrap(sdpa_composed(*q, *k, *v, mask, is_causal != 0, scale));
#endif
  GAT_CATCH("scaled_dot_product_attention", nullptr)
}

gat_tensor gat_nn_sdpa_composed(gat_tensor q, gat_tensor k, gat_tensor v, gat_tensor mask, int is_causal,
                                double scale) {
  GAT_TRY
  return wrap(sdpa_composed(*q, *k, *v, mask, is_causal != 0, scale));
  GAT_CATCH("scaled_dot_product_attention", nullptr)
}

gat_tensor gat_nn_upsample_nearest2d(gat_tensor x, int64_t out_h, int64_t out_w) {
  GAT_TRY
  std::vector<int64_t> size{out_h, out_w};
  return wrap(at::upsample_nearest2d(*x, size));
  GAT_CATCH("upsample_nearest2d", nullptr)
}

gat_tensor gat_nn_upsample_bilinear2d(gat_tensor x, int64_t out_h, int64_t out_w, int align_corners, int antialias) {
  GAT_TRY
  std::vector<int64_t> size{out_h, out_w};
  if (antialias) return wrap(at::_upsample_bilinear2d_aa(*x, size, align_corners != 0));
  return wrap(at::upsample_bilinear2d(*x, size, align_corners != 0));
  GAT_CATCH("upsample_bilinear2d", nullptr)
}

gat_tensor gat_nn_avg_pool2d(gat_tensor x, int64_t kernel, int64_t stride) {
  GAT_TRY
  return wrap(at::avg_pool2d(*x, {kernel, kernel}, {stride, stride}));
  GAT_CATCH("avg_pool2d", nullptr)
}

gat_tensor gat_nn_pad(gat_tensor x, const int64_t* pads, int npads, double value) {
  GAT_TRY
  return wrap(at::constant_pad_nd(*x, gat::dims(pads, npads), value));
  GAT_CATCH("pad", nullptr)
}

gat_tensor gat_nn_embedding(gat_tensor weight, gat_tensor indices) {
  GAT_TRY
  return wrap(at::embedding(*weight, *indices));
  GAT_CATCH("embedding", nullptr)
}

gat_tensor gat_nn_mse_loss(gat_tensor input, gat_tensor target, int reduction) {
  GAT_TRY
  return wrap(at::mse_loss(*input, *target, reduction));
  GAT_CATCH("mse_loss", nullptr)
}

gat_tensor gat_nn_dropout(gat_tensor x, double p, int train) {
  GAT_TRY
  return wrap(at::dropout(*x, p, train != 0));
  GAT_CATCH("dropout", nullptr)
}
