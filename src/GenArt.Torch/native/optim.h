// Optimizers over a fixed list of parameter tensors.
#pragma once
#include "common.h"

typedef void* gat_optimizer;

GAT_API gat_optimizer gat_optim_adamw_new(const gat_tensor* params, int n, double lr, double beta1, double beta2,
                                          double eps, double weight_decay, int amsgrad);
GAT_API int gat_optim_step(gat_optimizer o);
GAT_API int gat_optim_zero_grad(gat_optimizer o);
GAT_API int gat_optim_set_lr(gat_optimizer o, double lr);
GAT_API void gat_optim_free(gat_optimizer o);
