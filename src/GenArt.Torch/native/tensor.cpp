#include "tensor.h"

#include <cstring>

using gat::dims;
using gat::wrap;

void gat_tensor_free(gat_tensor t) { delete t; }

gat_tensor gat_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int8_t dtype,
                                int dev_type, int dev_index) {
  GAT_TRY
  auto cpu = at::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  int64_t expected = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  TORCH_CHECK(expected == nbytes, "the data holds ", nbytes, " bytes but shape ", cpu.sizes(), " of ",
              cpu.scalar_type(), " needs ", expected);
  if (nbytes > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(nbytes));
  auto device = gat::device(dev_type, dev_index);
  return wrap(device.is_cpu() ? cpu : cpu.to(device));
  GAT_CATCH("from_data", nullptr)
}

gat_tensor gat_tensor_empty(const int64_t* shape, int ndim, int8_t dtype, int dev_type, int dev_index) {
  GAT_TRY
  return wrap(at::empty(dims(shape, ndim), gat::options(dtype, dev_type, dev_index)));
  GAT_CATCH("empty", nullptr)
}

gat_tensor gat_tensor_full(const int64_t* shape, int ndim, double value, int8_t dtype, int dev_type, int dev_index) {
  GAT_TRY
  return wrap(at::full(dims(shape, ndim), value, gat::options(dtype, dev_type, dev_index)));
  GAT_CATCH("full", nullptr)
}

gat_tensor gat_tensor_arange(double start, double end, double step, int8_t dtype, int dev_type, int dev_index) {
  GAT_TRY
  return wrap(at::arange(start, end, step, gat::options(dtype, dev_type, dev_index)));
  GAT_CATCH("arange", nullptr)
}

gat_tensor gat_tensor_linspace(double start, double end, int64_t steps, int8_t dtype, int dev_type, int dev_index) {
  GAT_TRY
  return wrap(at::linspace(start, end, steps, gat::options(dtype, dev_type, dev_index)));
  GAT_CATCH("linspace", nullptr)
}

gat_tensor gat_tensor_scalar(double value, int8_t dtype, int dev_type, int dev_index) {
  GAT_TRY
  return wrap(at::scalar_tensor(value, gat::options(dtype, dev_type, dev_index)));
  GAT_CATCH("scalar_tensor", nullptr)
}

int gat_tensor_ndim(gat_tensor t) {
  GAT_TRY
  return static_cast<int>(t->dim());
  GAT_CATCH("ndim", -1)
}

int gat_tensor_shape(gat_tensor t, int64_t* out) {
  GAT_TRY
  auto s = t->sizes();
  std::copy(s.begin(), s.end(), out);
  return 0;
  GAT_CATCH("shape", -1)
}

int gat_tensor_strides(gat_tensor t, int64_t* out) {
  GAT_TRY
  auto s = t->strides();
  std::copy(s.begin(), s.end(), out);
  return 0;
  GAT_CATCH("strides", -1)
}

int64_t gat_tensor_numel(gat_tensor t) {
  GAT_TRY
  return t->numel();
  GAT_CATCH("numel", -1)
}

int gat_tensor_dtype(gat_tensor t) {
  GAT_TRY
  return static_cast<int>(t->scalar_type());
  GAT_CATCH("dtype", -1)
}

int gat_tensor_device(gat_tensor t, int* type, int* index) {
  GAT_TRY
  auto d = t->device();
  *type = static_cast<int>(d.type());
  *index = d.has_index() ? d.index() : (d.is_cpu() ? -1 : 0);
  return 0;
  GAT_CATCH("device", -1)
}

int gat_tensor_is_contiguous(gat_tensor t) {
  GAT_TRY
  return t->is_contiguous() ? 1 : 0;
  GAT_CATCH("is_contiguous", -1)
}

int gat_tensor_is_defined(gat_tensor t) { return t && t->defined() ? 1 : 0; }

int gat_tensor_copy_to(gat_tensor t, void* dst, int64_t nbytes) {
  GAT_TRY
  auto cpu = t->detach().to(at::kCPU).contiguous();
  int64_t have = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  TORCH_CHECK(have == nbytes, "the destination holds ", nbytes, " bytes but the tensor has ", have);
  if (nbytes > 0) std::memcpy(dst, cpu.data_ptr(), static_cast<size_t>(nbytes));
  return 0;
  GAT_CATCH("copy_to", -1)
}

int gat_tensor_item(gat_tensor t, double* out) {
  GAT_TRY
  *out = t->item<double>();
  return 0;
  GAT_CATCH("item", -1)
}

int gat_tensor_item_long(gat_tensor t, int64_t* out) {
  GAT_TRY
  *out = t->item<int64_t>();
  return 0;
  GAT_CATCH("item", -1)
}

void* gat_tensor_data_ptr(gat_tensor t) {
  GAT_TRY
  TORCH_CHECK(t->is_contiguous(), "data_ptr needs a contiguous tensor");
  return t->data_ptr();
  GAT_CATCH("data_ptr", nullptr)
}

gat_tensor gat_tensor_to(gat_tensor t, int8_t dtype, int dev_type, int dev_index, int copy) {
  GAT_TRY
  return wrap(t->to(gat::device(dev_type, dev_index), static_cast<at::ScalarType>(dtype), false, copy != 0));
  GAT_CATCH("to", nullptr)
}

gat_tensor gat_tensor_clone(gat_tensor t) {
  GAT_TRY
  return wrap(t->clone());
  GAT_CATCH("clone", nullptr)
}

gat_tensor gat_tensor_detach(gat_tensor t) {
  GAT_TRY
  return wrap(t->detach());
  GAT_CATCH("detach", nullptr)
}

int gat_tensor_copy_(gat_tensor dst, gat_tensor src) {
  GAT_TRY
  dst->copy_(*src);
  return 0;
  GAT_CATCH("copy_", -1)
}

int gat_tensor_fill_(gat_tensor t, double value) {
  GAT_TRY
  t->fill_(value);
  return 0;
  GAT_CATCH("fill_", -1)
}

gat_tensor gat_tensor_view(gat_tensor t, const int64_t* shape, int ndim) {
  GAT_TRY
  return wrap(t->view(dims(shape, ndim)));
  GAT_CATCH("view", nullptr)
}

gat_tensor gat_tensor_reshape(gat_tensor t, const int64_t* shape, int ndim) {
  GAT_TRY
  return wrap(t->reshape(dims(shape, ndim)));
  GAT_CATCH("reshape", nullptr)
}

gat_tensor gat_tensor_permute(gat_tensor t, const int64_t* d, int ndim) {
  GAT_TRY
  return wrap(t->permute(dims(d, ndim)));
  GAT_CATCH("permute", nullptr)
}

gat_tensor gat_tensor_transpose(gat_tensor t, int64_t dim0, int64_t dim1) {
  GAT_TRY
  return wrap(t->transpose(dim0, dim1));
  GAT_CATCH("transpose", nullptr)
}

gat_tensor gat_tensor_contiguous(gat_tensor t) {
  GAT_TRY
  return wrap(t->contiguous());
  GAT_CATCH("contiguous", nullptr)
}

gat_tensor gat_tensor_flatten(gat_tensor t, int64_t start, int64_t end) {
  GAT_TRY
  return wrap(t->flatten(start, end));
  GAT_CATCH("flatten", nullptr)
}

gat_tensor gat_tensor_unsqueeze(gat_tensor t, int64_t dim) {
  GAT_TRY
  return wrap(t->unsqueeze(dim));
  GAT_CATCH("unsqueeze", nullptr)
}

gat_tensor gat_tensor_squeeze(gat_tensor t, int64_t dim) {
  GAT_TRY
  return wrap(t->squeeze(dim));
  GAT_CATCH("squeeze", nullptr)
}

gat_tensor gat_tensor_expand(gat_tensor t, const int64_t* shape, int ndim) {
  GAT_TRY
  return wrap(t->expand(dims(shape, ndim)));
  GAT_CATCH("expand", nullptr)
}

gat_tensor gat_tensor_repeat(gat_tensor t, const int64_t* repeats, int ndim) {
  GAT_TRY
  return wrap(t->repeat(dims(repeats, ndim)));
  GAT_CATCH("repeat", nullptr)
}

gat_tensor gat_tensor_slice(gat_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  GAT_TRY
  return wrap(t->slice(dim, start, end, step));
  GAT_CATCH("slice", nullptr)
}

gat_tensor gat_tensor_select(gat_tensor t, int64_t dim, int64_t index) {
  GAT_TRY
  return wrap(t->select(dim, index));
  GAT_CATCH("select", nullptr)
}

gat_tensor gat_tensor_index_select(gat_tensor t, int64_t dim, gat_tensor index) {
  GAT_TRY
  return wrap(t->index_select(dim, *index));
  GAT_CATCH("index_select", nullptr)
}

int gat_tensor_index_add_(gat_tensor t, int64_t dim, gat_tensor index, gat_tensor source) {
  GAT_TRY
  t->index_add_(dim, *index, *source);
  return 0;
  GAT_CATCH("index_add_", -1)
}

gat_tensor gat_tensor_gather(gat_tensor t, int64_t dim, gat_tensor index) {
  GAT_TRY
  return wrap(t->gather(dim, *index));
  GAT_CATCH("gather", nullptr)
}

gat_tensor gat_tensor_cat(const gat_tensor* ts, int n, int64_t dim) {
  GAT_TRY
  return wrap(at::cat(gat::list(ts, n), dim));
  GAT_CATCH("cat", nullptr)
}

gat_tensor gat_tensor_stack(const gat_tensor* ts, int n, int64_t dim) {
  GAT_TRY
  return wrap(at::stack(gat::list(ts, n), dim));
  GAT_CATCH("stack", nullptr)
}

namespace {
int hand_out(std::vector<at::Tensor>&& parts, gat_tensor* out, int capacity) {
  TORCH_CHECK(static_cast<int>(parts.size()) <= capacity, "the result has ", parts.size(),
              " parts but room was made for ", capacity);
  for (size_t i = 0; i < parts.size(); ++i) out[i] = wrap(std::move(parts[i]));
  return static_cast<int>(parts.size());
}
}  // namespace

int gat_tensor_chunk(gat_tensor t, int64_t chunks, int64_t dim, gat_tensor* out, int capacity) {
  GAT_TRY
  return hand_out(t->chunk(chunks, dim), out, capacity);
  GAT_CATCH("chunk", -1)
}

int gat_tensor_split(gat_tensor t, const int64_t* sizes, int n, int64_t dim, gat_tensor* out, int capacity) {
  GAT_TRY
  return hand_out(t->split_with_sizes(dims(sizes, n), dim), out, capacity);
  GAT_CATCH("split", -1)
}
