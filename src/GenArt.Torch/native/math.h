// Element-wise arithmetic, reductions and matrix products. Element-wise ops are selected by an op code (the
// enums below are mirrored in NativeMethods.Math.cs) to keep the ABI small; dispatch costs one switch.
#pragma once
#include "common.h"

enum gat_unary_op {
  GAT_NEG = 0, GAT_EXP, GAT_LOG, GAT_SIN, GAT_COS, GAT_SQRT, GAT_RSQRT, GAT_ABS, GAT_SIGMOID, GAT_TANH,
  GAT_RELU, GAT_SILU, GAT_GELU, GAT_GELU_TANH, GAT_SQUARE, GAT_SIGN, GAT_FLOOR, GAT_CEIL, GAT_ROUND,
  GAT_RECIPROCAL, GAT_ERF, GAT_LOG1P, GAT_EXPM1, GAT_ISNAN, GAT_ISFINITE, GAT_LOGICAL_NOT, GAT_QUICK_GELU
};

enum gat_binary_op {
  GAT_ADD = 0, GAT_SUB, GAT_MUL, GAT_DIV, GAT_POW, GAT_MAXIMUM, GAT_MINIMUM, GAT_EQ, GAT_NE, GAT_LT, GAT_LE,
  GAT_GT, GAT_GE, GAT_REMAINDER, GAT_LOGICAL_AND, GAT_LOGICAL_OR, GAT_ATAN2
};

enum gat_reduce_op { GAT_SUM = 0, GAT_MEAN, GAT_AMAX, GAT_AMIN, GAT_VAR, GAT_STD, GAT_PROD };

GAT_API gat_tensor gat_math_unary(gat_tensor t, int op);
GAT_API int gat_math_unary_(gat_tensor t, int op);
// a (op) b; for GAT_ADD and GAT_SUB, b is scaled by alpha first
GAT_API gat_tensor gat_math_binary(gat_tensor a, gat_tensor b, int op, double alpha);
GAT_API int gat_math_binary_(gat_tensor a, gat_tensor b, int op, double alpha);
// a (op) s, or s (op) a when reverse != 0; an integral scalar is passed with is_int != 0 so that integer tensors
// keep their dtype (2 and 2.0 promote differently, as in PyTorch)
GAT_API gat_tensor gat_math_binary_scalar(gat_tensor a, double s, int64_t si, int is_int, int op, int reverse);
GAT_API int gat_math_binary_scalar_(gat_tensor a, double s, int64_t si, int is_int, int op);

GAT_API gat_tensor gat_math_reduce(gat_tensor t, int op, const int64_t* dims, int ndims, int keepdim);
GAT_API gat_tensor gat_math_reduce_all(gat_tensor t, int op);
GAT_API gat_tensor gat_math_argmax(gat_tensor t, int64_t dim, int keepdim);
GAT_API gat_tensor gat_math_cumsum(gat_tensor t, int64_t dim);
GAT_API gat_tensor gat_math_cumprod(gat_tensor t, int64_t dim);

GAT_API gat_tensor gat_math_clamp(gat_tensor t, double min, int has_min, double max, int has_max);
GAT_API gat_tensor gat_math_where(gat_tensor cond, gat_tensor a, gat_tensor b);
GAT_API gat_tensor gat_math_lerp(gat_tensor a, gat_tensor b, gat_tensor weight, double scalar_weight);
GAT_API int gat_math_allclose(gat_tensor a, gat_tensor b, double rtol, double atol);
GAT_API int gat_math_equal(gat_tensor a, gat_tensor b);

GAT_API gat_tensor gat_math_matmul(gat_tensor a, gat_tensor b);
GAT_API gat_tensor gat_math_bmm(gat_tensor a, gat_tensor b);
GAT_API gat_tensor gat_math_baddbmm(gat_tensor input, gat_tensor a, gat_tensor b, double beta, double alpha);
GAT_API gat_tensor gat_math_addmm(gat_tensor input, gat_tensor a, gat_tensor b, double beta, double alpha);
GAT_API gat_tensor gat_math_einsum(const char* equation, const gat_tensor* ts, int n);
