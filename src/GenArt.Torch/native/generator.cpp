#include "generator.h"

#include <ATen/CPUGeneratorImpl.h>

namespace {

at::Generator* as_gen(gat_generator g) { return static_cast<at::Generator*>(g); }

c10::optional<at::Generator> gen_or_default(gat_generator g) {
  return g ? c10::optional<at::Generator>(*as_gen(g)) : c10::nullopt;
}

gat_tensor finish(at::Tensor cpu, int8_t dtype, int dev_type, int dev_index) {
  auto device = gat::device(dev_type, dev_index);
  auto st = static_cast<at::ScalarType>(dtype);
  if (device.is_cpu() && cpu.scalar_type() == st) return gat::wrap(std::move(cpu));
  return gat::wrap(cpu.to(device, st));
}

}  // namespace

gat_generator gat_generator_new(uint64_t seed) {
  GAT_TRY
  return new at::Generator(at::detail::createCPUGenerator(seed));
  GAT_CATCH("generator", nullptr)
}

int gat_generator_set_seed(gat_generator g, uint64_t seed) {
  GAT_TRY
  std::lock_guard<std::mutex> lock(as_gen(g)->mutex());
  as_gen(g)->set_current_seed(seed);
  return 0;
  GAT_CATCH("generator.manual_seed", -1)
}

void gat_generator_free(gat_generator g) { delete as_gen(g); }

gat_tensor gat_generator_randn(gat_generator g, const int64_t* shape, int ndim, int8_t dtype, int dev_type,
                               int dev_index) {
  GAT_TRY
  // Drawn in float32 on the CPU, as torch.randn(..., generator=cpu_gen) does for a float32 request, so that half
  // precision and GPU samples start from the same numbers as float32 CPU ones.
  auto cpu = at::randn(gat::dims(shape, ndim), gen_or_default(g), at::TensorOptions().dtype(at::kFloat));
  return finish(std::move(cpu), dtype, dev_type, dev_index);
  GAT_CATCH("randn", nullptr)
}

gat_tensor gat_generator_rand(gat_generator g, const int64_t* shape, int ndim, int8_t dtype, int dev_type,
                              int dev_index) {
  GAT_TRY
  auto cpu = at::rand(gat::dims(shape, ndim), gen_or_default(g), at::TensorOptions().dtype(at::kFloat));
  return finish(std::move(cpu), dtype, dev_type, dev_index);
  GAT_CATCH("rand", nullptr)
}

gat_tensor gat_generator_randint(gat_generator g, int64_t low, int64_t high, const int64_t* shape, int ndim,
                                 int dev_type, int dev_index) {
  GAT_TRY
  auto cpu = at::randint(low, high, gat::dims(shape, ndim), gen_or_default(g), at::TensorOptions().dtype(at::kLong));
  return finish(std::move(cpu), static_cast<int8_t>(at::kLong), dev_type, dev_index);
  GAT_CATCH("randint", nullptr)
}

int gat_generator_manual_seed(uint64_t seed) {
  GAT_TRY
  at::manual_seed(seed);
  return 0;
  GAT_CATCH("manual_seed", -1)
}
