// Seeded CPU random generators: the same seed gives the same numbers on every machine, whatever the target
// device (noise is drawn on the CPU and then moved).
#pragma once
#include "common.h"

typedef void* gat_generator;

GAT_API gat_generator gat_generator_new(uint64_t seed);
GAT_API int gat_generator_set_seed(gat_generator g, uint64_t seed);
GAT_API void gat_generator_free(gat_generator g);
// Draws on the CPU with g (or the default generator when g is null), then converts to dtype and device.
GAT_API gat_tensor gat_generator_randn(gat_generator g, const int64_t* shape, int ndim, int8_t dtype, int dev_type,
                                       int dev_index);
GAT_API gat_tensor gat_generator_rand(gat_generator g, const int64_t* shape, int ndim, int8_t dtype, int dev_type,
                                      int dev_index);
GAT_API gat_tensor gat_generator_randint(gat_generator g, int64_t low, int64_t high, const int64_t* shape, int ndim,
                                         int dev_type, int dev_index);
GAT_API int gat_generator_manual_seed(uint64_t seed);
