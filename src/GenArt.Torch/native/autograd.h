// Autograd: gradient tracking, backward passes, and the thread-bound no-grad and inference-mode guards.
#pragma once
#include "common.h"

GAT_API int gat_autograd_set_requires_grad(gat_tensor t, int requires_grad);
GAT_API int gat_autograd_requires_grad(gat_tensor t);
GAT_API int gat_autograd_backward(gat_tensor t, gat_tensor gradient, int retain_graph);
// The accumulated gradient, or nullptr with no error when the tensor has none yet.
GAT_API gat_tensor gat_autograd_grad(gat_tensor t);
GAT_API int gat_autograd_zero_grad(gat_tensor t);
GAT_API int gat_autograd_is_enabled();

// Guards live on the heap between enter and exit; both must run on the same thread, in LIFO order.
typedef void* gat_guard;
GAT_API gat_guard gat_autograd_no_grad_enter();
GAT_API gat_guard gat_autograd_enable_grad_enter();
GAT_API void gat_autograd_grad_mode_exit(gat_guard g);
GAT_API gat_guard gat_autograd_inference_mode_enter();
GAT_API void gat_autograd_inference_mode_exit(gat_guard g);
