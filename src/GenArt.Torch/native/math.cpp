#include "math.h"

using gat::wrap;

namespace {

at::Tensor unary(const at::Tensor& t, int op) {
  switch (op) {
    case GAT_NEG: return t.neg();
    case GAT_EXP: return t.exp();
    case GAT_LOG: return t.log();
    case GAT_SIN: return t.sin();
    case GAT_COS: return t.cos();
    case GAT_SQRT: return t.sqrt();
    case GAT_RSQRT: return t.rsqrt();
    case GAT_ABS: return t.abs();
    case GAT_SIGMOID: return t.sigmoid();
    case GAT_TANH: return t.tanh();
    case GAT_RELU: return t.relu();
    case GAT_SILU: return at::silu(t);
    case GAT_GELU: return at::gelu(t, "none");
    case GAT_GELU_TANH: return at::gelu(t, "tanh");
    case GAT_SQUARE: return t.square();
    case GAT_SIGN: return t.sign();
    case GAT_FLOOR: return t.floor();
    case GAT_CEIL: return t.ceil();
    case GAT_ROUND: return t.round();
    case GAT_RECIPROCAL: return t.reciprocal();
    case GAT_ERF: return t.erf();
    case GAT_LOG1P: return t.log1p();
    case GAT_EXPM1: return t.expm1();
    case GAT_ISNAN: return t.isnan();
    case GAT_ISFINITE: return t.isfinite();
    case GAT_LOGICAL_NOT: return t.logical_not();
    case GAT_QUICK_GELU: return t * at::sigmoid(t * 1.702);  // CLIP's activation
  }
  TORCH_CHECK(false, "unknown unary op code ", op);
}

void unary_(at::Tensor& t, int op) {
  switch (op) {
    case GAT_NEG: t.neg_(); return;
    case GAT_EXP: t.exp_(); return;
    case GAT_LOG: t.log_(); return;
    case GAT_SIN: t.sin_(); return;
    case GAT_COS: t.cos_(); return;
    case GAT_SQRT: t.sqrt_(); return;
    case GAT_RSQRT: t.rsqrt_(); return;
    case GAT_ABS: t.abs_(); return;
    case GAT_SIGMOID: t.sigmoid_(); return;
    case GAT_TANH: t.tanh_(); return;
    case GAT_RELU: t.relu_(); return;
    case GAT_SILU: at::silu_(t); return;
    case GAT_SQUARE: t.square_(); return;
    case GAT_FLOOR: t.floor_(); return;
    case GAT_CEIL: t.ceil_(); return;
    case GAT_ROUND: t.round_(); return;
    case GAT_RECIPROCAL: t.reciprocal_(); return;
    default: t.copy_(unary(t, op)); return;
  }
}

at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int op, double alpha) {
  switch (op) {
    case GAT_ADD: return alpha == 1.0 ? at::add(a, b) : at::add(a, b, alpha);
    case GAT_SUB: return alpha == 1.0 ? at::sub(a, b) : at::sub(a, b, alpha);
    case GAT_MUL: return at::mul(a, b);
    case GAT_DIV: return at::div(a, b);
    case GAT_POW: return at::pow(a, b);
    case GAT_MAXIMUM: return at::maximum(a, b);
    case GAT_MINIMUM: return at::minimum(a, b);
    case GAT_EQ: return at::eq(a, b);
    case GAT_NE: return at::ne(a, b);
    case GAT_LT: return at::lt(a, b);
    case GAT_LE: return at::le(a, b);
    case GAT_GT: return at::gt(a, b);
    case GAT_GE: return at::ge(a, b);
    case GAT_REMAINDER: return at::remainder(a, b);
    case GAT_LOGICAL_AND: return at::logical_and(a, b);
    case GAT_LOGICAL_OR: return at::logical_or(a, b);
    case GAT_ATAN2: return at::atan2(a, b);
  }
  TORCH_CHECK(false, "unknown binary op code ", op);
}

void binary_(at::Tensor& a, const at::Tensor& b, int op, double alpha) {
  switch (op) {
    case GAT_ADD: a.add_(b, alpha); return;
    case GAT_SUB: a.sub_(b, alpha); return;
    case GAT_MUL: a.mul_(b); return;
    case GAT_DIV: a.div_(b); return;
    case GAT_POW: a.pow_(b); return;
    default: a.copy_(binary(a, b, op, alpha)); return;
  }
}

at::Scalar scalar(double s, int64_t si, int is_int) { return is_int ? at::Scalar(si) : at::Scalar(s); }

at::Tensor binary_scalar(const at::Tensor& a, const at::Scalar& s, int op) {
  switch (op) {
    case GAT_ADD: return at::add(a, s);
    case GAT_SUB: return at::sub(a, s);
    case GAT_MUL: return at::mul(a, s);
    case GAT_DIV: return at::div(a, s);
    case GAT_POW: return at::pow(a, s);
    case GAT_EQ: return at::eq(a, s);
    case GAT_NE: return at::ne(a, s);
    case GAT_LT: return at::lt(a, s);
    case GAT_LE: return at::le(a, s);
    case GAT_GT: return at::gt(a, s);
    case GAT_GE: return at::ge(a, s);
    case GAT_REMAINDER: return at::remainder(a, s);
    case GAT_MAXIMUM: return at::clamp_min(a, s);
    case GAT_MINIMUM: return at::clamp_max(a, s);
  }
  TORCH_CHECK(false, "op code ", op, " has no scalar form");
}

// s (op) a, for the ops whose operands do not commute
at::Tensor reverse_scalar(const at::Tensor& a, const at::Scalar& s, int op) {
  switch (op) {
    case GAT_SUB: return at::rsub(a, s);
    case GAT_DIV: return at::mul(a.reciprocal(), s);
    case GAT_POW: return at::pow(s, a);
    case GAT_LT: return at::gt(a, s);
    case GAT_LE: return at::ge(a, s);
    case GAT_GT: return at::lt(a, s);
    case GAT_GE: return at::le(a, s);
    default: return binary_scalar(a, s, op);  // commutative
  }
}

at::Tensor reduce(const at::Tensor& t, int op, at::IntArrayRef d, bool keepdim) {
  switch (op) {
    case GAT_SUM: return t.sum(d, keepdim);
    case GAT_MEAN: return t.mean(d, keepdim);
    case GAT_AMAX: return t.amax(d, keepdim);
    case GAT_AMIN: return t.amin(d, keepdim);
    case GAT_VAR: return t.var(d, /*unbiased=*/true, keepdim);
    case GAT_STD: return t.std(d, /*unbiased=*/true, keepdim);
    case GAT_PROD:
      TORCH_CHECK(d.size() == 1, "prod reduces over exactly one dimension");
      return t.prod(d[0], keepdim);
  }
  TORCH_CHECK(false, "unknown reduction op code ", op);
}

}  // namespace

gat_tensor gat_math_unary(gat_tensor t, int op) {
  GAT_TRY
  return wrap(unary(*t, op));
  GAT_CATCH("unary", nullptr)
}

int gat_math_unary_(gat_tensor t, int op) {
  GAT_TRY
  unary_(*t, op);
  return 0;
  GAT_CATCH("unary_", -1)
}

gat_tensor gat_math_binary(gat_tensor a, gat_tensor b, int op, double alpha) {
  GAT_TRY
  return wrap(binary(*a, *b, op, alpha));
  GAT_CATCH("binary", nullptr)
}

int gat_math_binary_(gat_tensor a, gat_tensor b, int op, double alpha) {
  GAT_TRY
  binary_(*a, *b, op, alpha);
  return 0;
  GAT_CATCH("binary_", -1)
}

gat_tensor gat_math_binary_scalar(gat_tensor a, double s, int64_t si, int is_int, int op, int reverse) {
  GAT_TRY
  auto sc = scalar(s, si, is_int);
  return wrap(reverse ? reverse_scalar(*a, sc, op) : binary_scalar(*a, sc, op));
  GAT_CATCH("binary_scalar", nullptr)
}

int gat_math_binary_scalar_(gat_tensor a, double s, int64_t si, int is_int, int op) {
  GAT_TRY
  auto sc = scalar(s, si, is_int);
  switch (op) {
    case GAT_ADD: a->add_(sc); break;
    case GAT_SUB: a->sub_(sc); break;
    case GAT_MUL: a->mul_(sc); break;
    case GAT_DIV: a->div_(sc); break;
    case GAT_POW: a->pow_(sc); break;
    default: a->copy_(binary_scalar(*a, sc, op)); break;
  }
  return 0;
  GAT_CATCH("binary_scalar_", -1)
}

gat_tensor gat_math_reduce(gat_tensor t, int op, const int64_t* dims, int ndims, int keepdim) {
  GAT_TRY
  return wrap(reduce(*t, op, gat::dims(dims, ndims), keepdim != 0));
  GAT_CATCH("reduce", nullptr)
}

gat_tensor gat_math_reduce_all(gat_tensor t, int op) {
  GAT_TRY
  switch (op) {
    case GAT_SUM: return wrap(t->sum());
    case GAT_MEAN: return wrap(t->mean());
    case GAT_AMAX: return wrap(t->max());
    case GAT_AMIN: return wrap(t->min());
    case GAT_VAR: return wrap(t->var());
    case GAT_STD: return wrap(t->std());
    case GAT_PROD: return wrap(t->prod());
  }
  TORCH_CHECK(false, "unknown reduction op code ", op);
  GAT_CATCH("reduce_all", nullptr)
}

gat_tensor gat_math_argmax(gat_tensor t, int64_t dim, int keepdim) {
  GAT_TRY
  return wrap(t->argmax(dim, keepdim != 0));
  GAT_CATCH("argmax", nullptr)
}

gat_tensor gat_math_cumsum(gat_tensor t, int64_t dim) {
  GAT_TRY
  return wrap(t->cumsum(dim));
  GAT_CATCH("cumsum", nullptr)
}

gat_tensor gat_math_cumprod(gat_tensor t, int64_t dim) {
  GAT_TRY
  return wrap(t->cumprod(dim));
  GAT_CATCH("cumprod", nullptr)
}

gat_tensor gat_math_clamp(gat_tensor t, double min, int has_min, double max, int has_max) {
  GAT_TRY
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  return wrap(at::clamp(*t, lo, hi));
  GAT_CATCH("clamp", nullptr)
}

gat_tensor gat_math_where(gat_tensor cond, gat_tensor a, gat_tensor b) {
  GAT_TRY
  return wrap(at::where(*cond, *a, *b));
  GAT_CATCH("where", nullptr)
}

gat_tensor gat_math_lerp(gat_tensor a, gat_tensor b, gat_tensor weight, double scalar_weight) {
  GAT_TRY
  return wrap(weight ? at::lerp(*a, *b, *weight) : at::lerp(*a, *b, scalar_weight));
  GAT_CATCH("lerp", nullptr)
}

int gat_math_allclose(gat_tensor a, gat_tensor b, double rtol, double atol) {
  GAT_TRY
  return at::allclose(*a, *b, rtol, atol) ? 1 : 0;
  GAT_CATCH("allclose", -1)
}

int gat_math_equal(gat_tensor a, gat_tensor b) {
  GAT_TRY
  return at::equal(*a, *b) ? 1 : 0;
  GAT_CATCH("equal", -1)
}

gat_tensor gat_math_matmul(gat_tensor a, gat_tensor b) {
  GAT_TRY
  return wrap(at::matmul(*a, *b));
  GAT_CATCH("matmul", nullptr)
}

gat_tensor gat_math_bmm(gat_tensor a, gat_tensor b) {
  GAT_TRY
  return wrap(at::bmm(*a, *b));
  GAT_CATCH("bmm", nullptr)
}

gat_tensor gat_math_baddbmm(gat_tensor input, gat_tensor a, gat_tensor b, double beta, double alpha) {
  GAT_TRY
  return wrap(at::baddbmm(*input, *a, *b, beta, alpha));
  GAT_CATCH("baddbmm", nullptr)
}

gat_tensor gat_math_addmm(gat_tensor input, gat_tensor a, gat_tensor b, double beta, double alpha) {
  GAT_TRY
  return wrap(at::addmm(*input, *a, *b, beta, alpha));
  GAT_CATCH("addmm", nullptr)
}

gat_tensor gat_math_einsum(const char* equation, const gat_tensor* ts, int n) {
  GAT_TRY
  return wrap(at::einsum(equation, gat::list(ts, n)));
  GAT_CATCH("einsum", nullptr)
}
