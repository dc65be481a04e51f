// The project's fused CPU operators (fp32), one torch extension: cpu_ops.cpp binds them.
#pragma once

#include <torch/extension.h>

#include <vector>

// Multi-scale deformable sampling (deformable_sampling.cpp).
torch::Tensor sampling_forward(torch::Tensor value, torch::Tensor shapes,
                               torch::Tensor starts, torch::Tensor loc,
                               torch::Tensor attn);
std::vector<torch::Tensor> sampling_backward(torch::Tensor grad_out, torch::Tensor value,
                                             torch::Tensor shapes, torch::Tensor starts,
                                             torch::Tensor loc, torch::Tensor attn);

// Dropout with a mask drawn from a seed (seeded_dropout.cpp).
torch::Tensor seeded_dropout(torch::Tensor input, double p, int64_t seed);
