// Shared by every area of the shim: the handle types, export macro and the exception barrier.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/version.h>

#include <cstdint>
#include <string>
#include <vector>

#define GAT_API extern "C" __attribute__((visibility("default")))

// A tensor handle is an owned, heap-allocated at::Tensor (one reference to the storage).
typedef at::Tensor* gat_tensor;

namespace gat {

// Records the message of the exception being handled in the calling thread's error slot.
void set_error(const char* op, const char* message);

inline gat_tensor wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

inline at::IntArrayRef dims(const int64_t* data, int n) { return at::IntArrayRef(data, static_cast<size_t>(n)); }

inline c10::Device device(int type, int index) {
  return c10::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int8_t dtype, int dev_type, int dev_index) {
  return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(device(dev_type, dev_index));
}

inline c10::optional<at::Tensor> opt(gat_tensor t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

inline std::vector<at::Tensor> list(const gat_tensor* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(*ts[i]);
  return v;
}

}  // namespace gat

// Every export runs its body inside GAT_TRY / GAT_CATCH: no C++ exception crosses the C ABI. On failure the
// function returns `fail` (nullptr for handles, -1 for status codes) and the message waits in the error slot.
#define GAT_TRY try {
#define GAT_CATCH(op, fail)                                   \
  }                                                           \
  catch (const c10::Error& e) {                               \
    gat::set_error(op, e.what_without_backtrace());           \
    return fail;                                              \
  }                                                           \
  catch (const std::exception& e) {                           \
    gat::set_error(op, e.what());                             \
    return fail;                                              \
  }                                                           \
  catch (...) {                                               \
    gat::set_error(op, "unknown C++ exception");              \
    return fail;                                              \
  }
