// The C++ side of the binding benchmarks: the same shim calls the managed benchmarks make, timed without the
// managed layer. Prints one line per measurement: "<name> <value> <unit>".
//   gat_bench [threads] [seconds-per-measurement]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "../math.h"
#include "../nn.h"
#include "../runtime.h"
#include "../tensor.h"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// Runs `body` in growing batches until `budget` seconds pass; returns seconds per call of the best batch.
template <typename F>
double best_per_call(F body, double budget, long first_batch) {
  double best = 1e300;
  long batch = first_batch;
  auto start = clock_type::now();
  while (seconds_since(start) < budget) {
    auto t0 = clock_type::now();
    for (long i = 0; i < batch; ++i) body();
    double per = seconds_since(t0) / static_cast<double>(batch);
    if (per < best) best = per;
  }
  return best;
}

gat_tensor filled(std::vector<int64_t> shape, double v) {
  return gat_tensor_full(shape.data(), static_cast<int>(shape.size()), v, 6, 0, -1);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 0;
  double budget = argc > 2 ? std::atof(argv[2]) : 3.0;
  if (threads > 0) gat_runtime_set_num_threads(threads);
  std::printf("libtorch %s threads %d\n", gat_runtime_version(), gat_runtime_get_num_threads());

  gat_tensor a = filled({16}, 1.0), b = filled({16}, 2.0);
  double add = best_per_call([&] { gat_tensor_free(gat_math_binary(a, b, GAT_ADD, 1.0)); }, budget, 100000);
  std::printf("add16 %.1f ns\n", add * 1e9);

  gat_tensor x = filled({2, 320, 64, 64}, 0.01), w = filled({320, 320, 3, 3}, 0.01), bias = filled({320}, 0.0);
  int64_t one[2] = {1, 1}, pad[2] = {1, 1};
  double conv = best_per_call([&] { gat_tensor_free(gat_nn_conv2d(x, w, bias, one, pad, one, 1)); }, budget, 1);
  double conv_flops = 2.0 * 2 * 320 * 64 * 64 * 320 * 9;
  std::printf("conv2d %.1f GFLOP/s\n", conv_flops / conv / 1e9);

  gat_tensor m1 = filled({2048, 2048}, 0.01), m2 = filled({2048, 2048}, 0.01);
  double mm = best_per_call([&] { gat_tensor_free(gat_math_matmul(m1, m2)); }, budget, 1);
  std::printf("matmul %.1f GFLOP/s\n", 2.0 * 2048.0 * 2048.0 * 2048.0 / mm / 1e9);

  for (gat_tensor t : {a, b, x, w, bias, m1, m2}) gat_tensor_free(t);
  return 0;
}
