#include "optim.h"

#include <torch/optim/adamw.h>

gat_optimizer gat_optim_adamw_new(const gat_tensor* params, int n, double lr, double beta1, double beta2, double eps,
                                  double weight_decay, int amsgrad) {
  GAT_TRY
  auto options = torch::optim::AdamWOptions(lr).betas({beta1, beta2}).eps(eps).weight_decay(weight_decay).amsgrad(
      amsgrad != 0);
  return new torch::optim::AdamW(gat::list(params, n), options);
  GAT_CATCH("adamw", nullptr)
}

int gat_optim_step(gat_optimizer o) {
  GAT_TRY
  static_cast<torch::optim::Optimizer*>(o)->step();
  return 0;
  GAT_CATCH("optimizer.step", -1)
}

int gat_optim_zero_grad(gat_optimizer o) {
  GAT_TRY
  static_cast<torch::optim::Optimizer*>(o)->zero_grad();
  return 0;
  GAT_CATCH("optimizer.zero_grad", -1)
}

int gat_optim_set_lr(gat_optimizer o, double lr) {
  GAT_TRY
  auto* opt = static_cast<torch::optim::AdamW*>(o);
  for (auto& group : opt->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  return 0;
  GAT_CATCH("optimizer.set_lr", -1)
}

void gat_optim_free(gat_optimizer o) { delete static_cast<torch::optim::Optimizer*>(o); }
