"""Multi-scale deformable attention whose sampling runs in PyTorch on any device."""
from functools import lru_cache

import torch
import torch.nn.functional as F
from mmcv.ops import MultiScaleDeformableAttention, get_compiling_cuda_version
from mmcv.ops.multi_scale_deform_attn import MultiScaleDeformableAttnFunction
from mmocr.registry import MODELS
from torch.utils.checkpoint import checkpoint

from .cpu_ops import cpu_ops


@lru_cache(maxsize=1)
def mmcv_has_cuda_ops():
    """Whether MMCV was built with its CUDA kernels."""
    return get_compiling_cuda_version() != 'not available'


class FusedDeformableSampling(torch.autograd.Function):
    """:func:`deformable_sampling` as one CPU kernel per pass (fp32).

    Keeps only its inputs for the backward pass (no samples), reads the value
    tokens in place (no per-level copies) and writes the output in its final
    layout; the backward runs one task per (image, head).
    """

    @staticmethod
    def forward(ctx, value, shapes, starts, locations, weights):
        ctx.save_for_backward(value, shapes, starts, locations, weights)
        out = cpu_ops().sampling_forward(value, shapes, starts, locations, weights)
        return out.flatten(2)  # B, N_q, heads * D

    @staticmethod
    def backward(ctx, grad):
        value, shapes, starts, locations, weights = ctx.saved_tensors
        grad = grad.view(*grad.shape[:2], value.size(2), value.size(3))
        grad_value, grad_locations, grad_weights = cpu_ops().sampling_backward(
            grad, value, shapes, starts, locations, weights)
        return grad_value, None, None, grad_locations, grad_weights


def deformable_sampling(value, spatial_shapes, locations, weights):
    """Bilinear samples of each level, weighted and summed (the attention's core).

    Computes the same function as MMCV's ``multi_scale_deformable_attn_pytorch``
    (``grid_sample``, zeros outside the map, ``align_corners=False``) level by
    level, adding each level's weighted samples to the output instead of
    stacking the samples of all levels first: one level's samples are alive at
    a time in the forward pass.

    Args:
        value (Tensor): (B, N_v, heads, D), the tokens of all levels.
        spatial_shapes (list[tuple[int, int]]): (h, w) of each level;
            ``sum(h * w) == N_v``.
        locations (Tensor): (B, N_q, heads, L, P, 2), (x, y) in [0, 1].
        weights (Tensor): (B, N_q, heads, L, P), the attention weights.

    Returns:
        Tensor: (B, N_q, heads * D).
    """
    batch, _, heads, dims = value.shape
    num_queries, points = locations.shape[1], locations.shape[4]
    grids = 2 * locations - 1
    out = 0
    start = 0
    for level, (h, w) in enumerate(spatial_shapes):
        v = value[:, start:start + h * w].permute(0, 2, 3, 1)
        v = v.reshape(batch * heads, dims, h, w)
        start += h * w
        grid = grids[:, :, :, level].transpose(1, 2).reshape(batch * heads, num_queries,
                                                             points, 2)
        samples = F.grid_sample(v,
                                grid,
                                mode='bilinear',
                                padding_mode='zeros',
                                align_corners=False)  # B*heads, D, N_q, P
        weight = weights[:, :, :,
                         level].transpose(1, 2).reshape(batch * heads, 1, num_queries,
                                                        points)
        out = out + (samples * weight).sum(-1)
    return out.view(batch, heads * dims, num_queries).transpose(1, 2).contiguous()


@MODELS.register_module()
class SamplingDeformableAttention(MultiScaleDeformableAttention):
    """MMCV's ``MultiScaleDeformableAttention`` with the sampling in PyTorch.

    Same parameters, state-dict keys and function as the parent. The sampling
    is our fused kernel on fp32 CPU tensors when ``cpu_kernel`` is set and it
    builds (:class:`FusedDeformableSampling`), MMCV's CUDA kernel on CUDA
    tensors when ``cuda_kernel`` is set and MMCV was built with it (the parent
    needs that build on CUDA), else :func:`deformable_sampling` (PyTorch, one
    level's samples alive at a time).

    Args:
        recompute_sampling (bool): Keep no samples for the backward pass and
            compute them again there (``torch.utils.checkpoint``): less memory,
            one more sampling pass. Defaults to False.
        cuda_kernel (bool): Use MMCV's CUDA kernel on CUDA tensors where MMCV
            has it. Defaults to True.
        cpu_kernel (bool): Use our fused kernel (:class:`FusedDeformableSampling`)
            on fp32 CPU tensors. Defaults to False.
        **kwargs: ``MultiScaleDeformableAttention``'s arguments.
    """

    def __init__(self,
                 *args,
                 recompute_sampling=False,
                 cuda_kernel=True,
                 cpu_kernel=False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.recompute_sampling = recompute_sampling
        self.cuda_kernel = cuda_kernel
        self.cpu_kernel = cpu_kernel

    def forward(self,
                query,
                key=None,
                value=None,
                identity=None,
                query_pos=None,
                key_padding_mask=None,
                reference_points=None,
                spatial_shapes=None,
                level_start_index=None,
                **kwargs):
        """Attend (batch first, as the encoder builds it).

        Args:
            query (Tensor): (B, N_q, C).
            value (Tensor, optional): (B, N_v, C); default: ``query``.
            identity (Tensor, optional): (B, N_q, C) added to the output;
                default: ``query``.
            query_pos (Tensor, optional): (B, N_q, C) added to ``query``.
            key_padding_mask (Tensor, optional): (B, N_v) bool, True on
                padding (those values are zeroed).
            reference_points (Tensor): (B, N_q, L, 2), (x, y) in [0, 1].
            spatial_shapes (Tensor): (L, 2) long, (h, w) of each level.
            level_start_index (Tensor): (L, ) long, the first token of each
                level (MMCV's kernel needs it).

        Returns:
            Tensor: (B, N_q, C).
        """
        if not self.batch_first:
            raise ValueError(f'{type(self).__name__} needs batch_first=True')
        if reference_points.shape[-1] != 2:
            raise ValueError(f'{type(self).__name__}: reference_points must be '
                             f'(x, y) points, got the last dimension '
                             f'{reference_points.shape[-1]}')
        value = query if value is None else value
        identity = query if identity is None else identity
        if query_pos is not None:
            query = query + query_pos
        batch, num_queries, _ = query.shape
        value = self.value_proj(value)
        if key_padding_mask is not None:
            value = value.masked_fill(key_padding_mask[..., None], 0.0)
        value = value.view(batch, value.size(1), self.num_heads, -1)
        offsets = self.sampling_offsets(query).view(batch, num_queries, self.num_heads,
                                                    self.num_levels, self.num_points, 2)
        weights = self.attention_weights(query).view(batch, num_queries, self.num_heads,
                                                     self.num_levels * self.num_points)
        weights = weights.softmax(-1).view(batch, num_queries, self.num_heads,
                                           self.num_levels, self.num_points)
        normalizer = spatial_shapes.flip(-1).to(offsets.dtype)  # (w, h)
        locations = (reference_points[:, :, None, :, None, :] +
                     offsets / normalizer[None, None, None, :, None, :])
        out = self._sample(value, spatial_shapes, level_start_index, locations, weights)
        return self.dropout(self.output_proj(out)) + identity

    def _sample(self, value, spatial_shapes, level_start_index, locations, weights):
        """The weighted samples (B, N_q, heads * D) by the path the options and
        tensors allow: MMCV's CUDA kernel, our CPU kernel, or PyTorch."""
        if self.cuda_kernel and value.is_cuda and mmcv_has_cuda_ops():
            return MultiScaleDeformableAttnFunction.apply(value, spatial_shapes,
                                                          level_start_index, locations,
                                                          weights, self.im2col_step)
        if (self.cpu_kernel and value.device.type == 'cpu'
                and value.dtype == locations.dtype == weights.dtype == torch.float32
                and cpu_ops() is not None):
            return FusedDeformableSampling.apply(value, spatial_shapes,
                                                 level_start_index, locations, weights)
        shapes = [tuple(s) for s in spatial_shapes.tolist()]
        if self.recompute_sampling and torch.is_grad_enabled():
            return checkpoint(deformable_sampling,
                              value,
                              shapes,
                              locations,
                              weights,
                              use_reentrant=False)
        return deformable_sampling(value, shapes, locations, weights)
