#include "autograd.h"

#include <ATen/core/grad_mode.h>

int gat_autograd_set_requires_grad(gat_tensor t, int requires_grad) {
  GAT_TRY
  t->set_requires_grad(requires_grad != 0);
  return 0;
  GAT_CATCH("requires_grad_", -1)
}

int gat_autograd_requires_grad(gat_tensor t) {
  GAT_TRY
  return t->requires_grad() ? 1 : 0;
  GAT_CATCH("requires_grad", -1)
}

int gat_autograd_backward(gat_tensor t, gat_tensor gradient, int retain_graph) {
  GAT_TRY
  t->backward(gradient ? *gradient : at::Tensor(), retain_graph ? c10::optional<bool>(true) : c10::nullopt);
  return 0;
  GAT_CATCH("backward", -1)
}

gat_tensor gat_autograd_grad(gat_tensor t) {
  GAT_TRY
  const auto& g = t->grad();
  return g.defined() ? gat::wrap(g) : nullptr;
  GAT_CATCH("grad", nullptr)
}

int gat_autograd_zero_grad(gat_tensor t) {
  GAT_TRY
  auto& g = t->mutable_grad();
  if (g.defined()) g = at::Tensor();  // as torch's zero_grad(set_to_none=True)
  return 0;
  GAT_CATCH("zero_grad", -1)
}

int gat_autograd_is_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }

gat_guard gat_autograd_no_grad_enter() {
  GAT_TRY
  return new at::AutoGradMode(false);
  GAT_CATCH("no_grad", nullptr)
}

gat_guard gat_autograd_enable_grad_enter() {
  GAT_TRY
  return new at::AutoGradMode(true);
  GAT_CATCH("enable_grad", nullptr)
}

void gat_autograd_grad_mode_exit(gat_guard g) { delete static_cast<at::AutoGradMode*>(g); }

gat_guard gat_autograd_inference_mode_enter() {
  GAT_TRY
  return new c10::InferenceMode(true);
  GAT_CATCH("inference_mode", nullptr)
}

void gat_autograd_inference_mode_exit(gat_guard g) { delete static_cast<c10::InferenceMode*>(g); }
