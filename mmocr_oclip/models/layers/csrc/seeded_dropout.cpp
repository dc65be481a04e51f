// Dropout whose mask is a function of (seed, element index): the backward pass draws
// the same mask again instead of keeping it.
//
// out[i] = input[i] * (keep(seed, i) ? 1 / (1 - p) : 0), over the contiguous layout of
// input, with keep(seed, i) = u(seed, i) >= round(p * 2^32) where u is a 32-bit half
// (the high one for even i) of output i / 2 of splitmix64 (Steele, Lea and Flood,
// OOPSLA 2014) started at seed: P(keep) = 1 - p (to 2^-32), independent of the thread
// count. The scale is computed
// as torch's dropout does (fp32 1 / (1 - p)), and a dropped element is multiplied by
// zero (inf and nan give nan, as there).
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>

#include "cpu_ops.h"

namespace {

inline uint64_t draw(uint64_t seed, uint64_t index) {
  uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

torch::Tensor seeded_dropout(torch::Tensor input, double p, int64_t seed) {
  TORCH_CHECK(input.device().is_cpu() && input.scalar_type() == torch::kFloat,
              "seeded_dropout: a float32 CPU tensor expected, got ", input.scalar_type(),
              " on ", input.device());
  TORCH_CHECK(p >= 0 && p < 1, "seeded_dropout: p in [0, 1) expected, got ", p);
  const torch::Tensor x = input.contiguous();
  torch::Tensor out = torch::empty_like(x, at::MemoryFormat::Contiguous);
  const float* src = x.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  const uint64_t threshold = static_cast<uint64_t>(std::llround(p * 4294967296.0));
  const uint64_t key = static_cast<uint64_t>(seed);
  const float scale = 1.0f / static_cast<float>(1.0 - p);
  const int64_t n = x.numel();
  at::parallel_for(0, (n + 1) / 2, 1 << 14, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const uint64_t z = draw(key, static_cast<uint64_t>(k));
      const int64_t i = 2 * k;
      dst[i] = src[i] * ((z >> 32) >= threshold ? scale : 0.0f);
      if (i + 1 < n) {
        dst[i + 1] = src[i + 1] * ((z & 0xFFFFFFFFull) >= threshold ? scale : 0.0f);
      }
    }
  });
  return out;
}
