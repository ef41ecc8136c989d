#include "runtime.h"

#include <torch/cuda.h>
#include <ATen/Parallel.h>

const char* gat_runtime_version() { return TORCH_VERSION; }

int gat_runtime_cuda_available() {
  GAT_TRY
  return torch::cuda::is_available() ? 1 : 0;
  GAT_CATCH("cuda_available", 0)
}

int gat_runtime_cuda_device_count() {
  GAT_TRY
  return static_cast<int>(torch::cuda::device_count());
  GAT_CATCH("cuda_device_count", 0)
}

int gat_runtime_cuda_synchronize(int device_index) {
  GAT_TRY
#if TORCH_VERSION_MAJOR >= 2
  torch::cuda::synchronize(device_index);
#else
  // libtorch 1.13 has no torch::cuda::synchronize; a blocking copy from the device drains its stream.
  if (torch::cuda::is_available()) {
    at::zeros({1}, at::TensorOptions().device(c10::Device(c10::kCUDA, device_index < 0 ? 0 : device_index))).cpu();
  }
#endif
  return 0;
  GAT_CATCH("cuda_synchronize", -1)
}

int gat_runtime_get_num_threads() { return at::get_num_threads(); }

int gat_runtime_set_num_threads(int n) {
  GAT_TRY
  TORCH_CHECK(n > 0, "the number of threads must be positive, got ", n);
  at::set_num_threads(n);
  return 0;
  GAT_CATCH("set_num_threads", -1)
}

int gat_runtime_has_native_sdpa() { return TORCH_VERSION_MAJOR >= 2 ? 1 : 0; }

const char* gat_runtime_config() {
  static std::string config;
  GAT_TRY
  if (config.empty()) config = at::show_config();
  return config.c_str();
  GAT_CATCH("config", nullptr)
}
