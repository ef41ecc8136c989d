// Tensor handles: creation, metadata, data transfer, views, joining and splitting.
#pragma once
#include "common.h"

GAT_API void gat_tensor_free(gat_tensor t);

// creation
GAT_API gat_tensor gat_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int ndim, int8_t dtype,
                                        int dev_type, int dev_index);
GAT_API gat_tensor gat_tensor_empty(const int64_t* shape, int ndim, int8_t dtype, int dev_type, int dev_index);
GAT_API gat_tensor gat_tensor_full(const int64_t* shape, int ndim, double value, int8_t dtype, int dev_type,
                                   int dev_index);
GAT_API gat_tensor gat_tensor_arange(double start, double end, double step, int8_t dtype, int dev_type, int dev_index);
GAT_API gat_tensor gat_tensor_linspace(double start, double end, int64_t steps, int8_t dtype, int dev_type, int dev_index);
GAT_API gat_tensor gat_tensor_scalar(double value, int8_t dtype, int dev_type, int dev_index);

// metadata
GAT_API int gat_tensor_ndim(gat_tensor t);
GAT_API int gat_tensor_shape(gat_tensor t, int64_t* out);
GAT_API int gat_tensor_strides(gat_tensor t, int64_t* out);
GAT_API int64_t gat_tensor_numel(gat_tensor t);
GAT_API int gat_tensor_dtype(gat_tensor t);
GAT_API int gat_tensor_device(gat_tensor t, int* type, int* index);
GAT_API int gat_tensor_is_contiguous(gat_tensor t);
GAT_API int gat_tensor_is_defined(gat_tensor t);

// data transfer
GAT_API int gat_tensor_copy_to(gat_tensor t, void* dst, int64_t nbytes);
GAT_API int gat_tensor_item(gat_tensor t, double* out);
GAT_API int gat_tensor_item_long(gat_tensor t, int64_t* out);
GAT_API void* gat_tensor_data_ptr(gat_tensor t);
GAT_API gat_tensor gat_tensor_to(gat_tensor t, int8_t dtype, int dev_type, int dev_index, int copy);
GAT_API gat_tensor gat_tensor_clone(gat_tensor t);
GAT_API gat_tensor gat_tensor_detach(gat_tensor t);
GAT_API int gat_tensor_copy_(gat_tensor dst, gat_tensor src);
GAT_API int gat_tensor_fill_(gat_tensor t, double value);

// views and layout
GAT_API gat_tensor gat_tensor_view(gat_tensor t, const int64_t* shape, int ndim);
GAT_API gat_tensor gat_tensor_reshape(gat_tensor t, const int64_t* shape, int ndim);
GAT_API gat_tensor gat_tensor_permute(gat_tensor t, const int64_t* dims, int ndim);
GAT_API gat_tensor gat_tensor_transpose(gat_tensor t, int64_t dim0, int64_t dim1);
GAT_API gat_tensor gat_tensor_contiguous(gat_tensor t);
GAT_API gat_tensor gat_tensor_flatten(gat_tensor t, int64_t start, int64_t end);
GAT_API gat_tensor gat_tensor_unsqueeze(gat_tensor t, int64_t dim);
GAT_API gat_tensor gat_tensor_squeeze(gat_tensor t, int64_t dim);
GAT_API gat_tensor gat_tensor_expand(gat_tensor t, const int64_t* shape, int ndim);
GAT_API gat_tensor gat_tensor_repeat(gat_tensor t, const int64_t* repeats, int ndim);
GAT_API gat_tensor gat_tensor_slice(gat_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
GAT_API gat_tensor gat_tensor_select(gat_tensor t, int64_t dim, int64_t index);
GAT_API gat_tensor gat_tensor_index_select(gat_tensor t, int64_t dim, gat_tensor index);
GAT_API int gat_tensor_index_add_(gat_tensor t, int64_t dim, gat_tensor index, gat_tensor source);
GAT_API gat_tensor gat_tensor_gather(gat_tensor t, int64_t dim, gat_tensor index);

// joining and splitting; the split functions write up to `capacity` handles to `out` and return their count
GAT_API gat_tensor gat_tensor_cat(const gat_tensor* ts, int n, int64_t dim);
GAT_API gat_tensor gat_tensor_stack(const gat_tensor* ts, int n, int64_t dim);
GAT_API int gat_tensor_chunk(gat_tensor t, int64_t chunks, int64_t dim, gat_tensor* out, int capacity);
GAT_API int gat_tensor_split(gat_tensor t, const int64_t* sizes, int n, int64_t dim, gat_tensor* out, int capacity);
