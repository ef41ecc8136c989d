// Library-wide facts and settings: version, devices, threads.
#pragma once
#include "common.h"

GAT_API const char* gat_runtime_version();
GAT_API int gat_runtime_cuda_available();
GAT_API int gat_runtime_cuda_device_count();
GAT_API int gat_runtime_cuda_synchronize(int device_index);
GAT_API int gat_runtime_get_num_threads();
GAT_API int gat_runtime_set_num_threads(int n);
GAT_API int gat_runtime_has_native_sdpa();
GAT_API const char* gat_runtime_config();
