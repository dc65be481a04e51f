// Multi-scale deformable sampling on the CPU, forward and backward, fp32.
//
// value (B, Nv, H, D): the tokens of all levels (level l starts at starts[l] and is
//   an h_l x w_l map, shapes[l] = (h_l, w_l));
// loc (B, Nq, H, L, P, 2): (x, y) in [0, 1]; attn (B, Nq, H, L, P): the weights;
// out (B, Nq, H, D) = sum over l, p of attn * bilinear(value_l, loc), where bilinear is
//   grid_sample's (align_corners=False: pixel = ((2 loc - 1) + 1) size / 2 - 1 / 2;
//   zeros outside).
// The backward runs one task per (image, head): a head reads and writes only its own
// value channels, so the value gradient needs no atomics.
#include "cpu_ops.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

namespace {

struct Corners {
  int64_t offset[4];  // token index within the level, or -1 outside
  float weight[4];
  float fx, fy;
};

inline Corners corners_of(float x, float y, int64_t h, int64_t w) {
  Corners c;
  // grid_sample's arithmetic, step by step (grid = 2 loc - 1, then its
  // align_corners=False un-normalisation), so that points near a pixel border fall in
  // the same cell as there: the location gradient jumps between cells
  const float gx = 2 * x - 1, gy = 2 * y - 1;
  const float px = ((gx + 1) * w - 1) / 2, py = ((gy + 1) * h - 1) / 2;
  const float x0f = std::floor(px), y0f = std::floor(py);
  const int64_t x0 = static_cast<int64_t>(x0f), y0 = static_cast<int64_t>(y0f);
  c.fx = px - x0f;
  c.fy = py - y0f;
  const int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1};
  const int64_t ys[4] = {y0, y0, y0 + 1, y0 + 1};
  const float ws[4] = {(1 - c.fx) * (1 - c.fy), c.fx * (1 - c.fy), (1 - c.fx) * c.fy,
                       c.fx * c.fy};
  for (int k = 0; k < 4; ++k) {
    const bool inside = xs[k] >= 0 && xs[k] < w && ys[k] >= 0 && ys[k] < h;
    c.offset[k] = inside ? ys[k] * w + xs[k] : -1;
    c.weight[k] = ws[k];
  }
  return c;
}

// Checks the inputs and makes them contiguous (in place of the handles).
void prepare(torch::Tensor& value, torch::Tensor& shapes, torch::Tensor& starts,
             torch::Tensor& loc, torch::Tensor& attn) {
  TORCH_CHECK(value.device().is_cpu() && loc.device().is_cpu() && attn.device().is_cpu(),
              "deformable_sampling: CPU tensors expected");
  TORCH_CHECK(value.scalar_type() == torch::kFloat && loc.scalar_type() == torch::kFloat &&
                  attn.scalar_type() == torch::kFloat,
              "deformable_sampling: float32 tensors expected");
  TORCH_CHECK(value.dim() == 4 && loc.dim() == 6 && attn.dim() == 5 && loc.size(5) == 2,
              "deformable_sampling: value (B, Nv, H, D), loc (B, Nq, H, L, P, 2) and "
              "attn (B, Nq, H, L, P) expected");
  TORCH_CHECK(shapes.scalar_type() == torch::kLong && starts.scalar_type() == torch::kLong &&
                  shapes.size(0) == loc.size(3) && starts.size(0) == loc.size(3),
              "deformable_sampling: shapes (L, 2) and starts (L,) int64 expected");
  value = value.contiguous();
  shapes = shapes.contiguous();
  starts = starts.contiguous();
  loc = loc.contiguous();
  attn = attn.contiguous();
}

}  // namespace

torch::Tensor sampling_forward(torch::Tensor value, torch::Tensor shapes,
                               torch::Tensor starts, torch::Tensor loc,
                               torch::Tensor attn) {
  prepare(value, shapes, starts, loc, attn);
  const int64_t B = value.size(0), Nv = value.size(1), H = value.size(2), D = value.size(3);
  const int64_t Nq = loc.size(1), L = loc.size(3), P = loc.size(4);
  auto out = torch::zeros({B, Nq, H, D}, value.options());
  const float* v = value.data_ptr<float>();
  const float* lc = loc.data_ptr<float>();
  const float* at = attn.data_ptr<float>();
  const int64_t* sh = shapes.data_ptr<int64_t>();
  const int64_t* st = starts.data_ptr<int64_t>();
  float* o = out.data_ptr<float>();
  at::parallel_for(0, B * Nq, 1, [&](int64_t begin, int64_t end) {
    for (int64_t bq = begin; bq < end; ++bq) {
      const int64_t b = bq / Nq;
      for (int64_t h = 0; h < H; ++h) {
        float* dst = o + (bq * H + h) * D;
        for (int64_t l = 0; l < L; ++l) {
          const float* base = v + ((b * Nv + st[l]) * H + h) * D;
          for (int64_t p = 0; p < P; ++p) {
            const int64_t i = ((bq * H + h) * L + l) * P + p;
            const Corners c = corners_of(lc[2 * i], lc[2 * i + 1], sh[2 * l], sh[2 * l + 1]);
            for (int k = 0; k < 4; ++k) {
              if (c.offset[k] < 0) continue;
              const float wk = at[i] * c.weight[k];
              const float* src = base + c.offset[k] * H * D;
#pragma omp simd
              for (int64_t d = 0; d < D; ++d) dst[d] += wk * src[d];
            }
          }
        }
      }
    }
  });
  return out;
}

std::vector<torch::Tensor> sampling_backward(torch::Tensor grad_out, torch::Tensor value,
                                             torch::Tensor shapes, torch::Tensor starts,
                                             torch::Tensor loc, torch::Tensor attn) {
  prepare(value, shapes, starts, loc, attn);
  grad_out = grad_out.contiguous();
  const int64_t B = value.size(0), Nv = value.size(1), H = value.size(2), D = value.size(3);
  const int64_t Nq = loc.size(1), L = loc.size(3), P = loc.size(4);
  auto grad_value = torch::zeros_like(value);
  auto grad_loc = torch::zeros_like(loc);
  auto grad_attn = torch::zeros_like(attn);
  const float* g = grad_out.data_ptr<float>();
  const float* v = value.data_ptr<float>();
  const float* lc = loc.data_ptr<float>();
  const float* at = attn.data_ptr<float>();
  const int64_t* sh = shapes.data_ptr<int64_t>();
  const int64_t* st = starts.data_ptr<int64_t>();
  float* gv = grad_value.data_ptr<float>();
  float* gl = grad_loc.data_ptr<float>();
  float* ga = grad_attn.data_ptr<float>();
  at::parallel_for(0, B * H, 1, [&](int64_t begin, int64_t end) {
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / H, h = bh % H;
      for (int64_t q = 0; q < Nq; ++q) {
        const float* go = g + ((b * Nq + q) * H + h) * D;
        for (int64_t l = 0; l < L; ++l) {
          const int64_t lh = sh[2 * l], lw = sh[2 * l + 1];
          const float* base = v + ((b * Nv + st[l]) * H + h) * D;
          float* gbase = gv + ((b * Nv + st[l]) * H + h) * D;
          for (int64_t p = 0; p < P; ++p) {
            const int64_t i = (((b * Nq + q) * H + h) * L + l) * P + p;
            const Corners c = corners_of(lc[2 * i], lc[2 * i + 1], lh, lw);
            const float a = at[i];
            // g . corner value, for each corner (zero outside)
            float dot[4] = {0, 0, 0, 0};
            for (int k = 0; k < 4; ++k) {
              if (c.offset[k] < 0) continue;
              const float* src = base + c.offset[k] * H * D;
              float* gdst = gbase + c.offset[k] * H * D;
              const float wk = a * c.weight[k];
              float s = 0;
              // the buffers do not overlap; the dot product is summed in SIMD lanes
#pragma omp simd reduction(+ : s)
              for (int64_t d = 0; d < D; ++d) {
                s += go[d] * src[d];
                gdst[d] += wk * go[d];
              }
              dot[k] = s;
            }
            ga[i] = c.weight[0] * dot[0] + c.weight[1] * dot[1] + c.weight[2] * dot[2] +
                    c.weight[3] * dot[3];
            // d(bilinear)/d(fx), d/d(fy), dotted with g
            const float dfx = (1 - c.fy) * (dot[1] - dot[0]) + c.fy * (dot[3] - dot[2]);
            const float dfy = (1 - c.fx) * (dot[2] - dot[0]) + c.fx * (dot[3] - dot[1]);
            gl[2 * i] = a * dfx * lw;
            gl[2 * i + 1] = a * dfy * lh;
          }
        }
      }
    }
  });
  return {grad_value, grad_loc, grad_attn};
}
