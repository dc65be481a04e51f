// Python bindings of the project's fused CPU operators (loaded by
// mmocr_oclip/models/layers/cpu_ops.py).
#include "cpu_ops.h"

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("sampling_forward", &sampling_forward,
        "multi-scale deformable sampling (CPU, fp32)");
  m.def("sampling_backward", &sampling_backward,
        "its gradients (value, loc, attn)");
  m.def("seeded_dropout", &seeded_dropout,
        "input * keep(seed, index) / (1 - p) (CPU, fp32)");
}
