"""A deformable encoder layer that keeps its input, sampling locations and
weights and samples for its backward pass."""
import torch
import torch.nn.functional as F
from torch import nn

from .cpu_ops import cpu_ops
from .sampling_deformable_attention import SamplingDeformableAttention
from .seeded_dropout import SeededDropout


def _layer_dropouts(layer):
    """The three dropouts of a ``DeformableDetrTransformerEncoderLayer`` in
    the order its forward runs them: attention output, FFN hidden, FFN
    output."""
    return (layer.self_attn.dropout, layer.ffn.layers[0][2], layer.ffn.layers[2])


def lean_layer_unsupported(layer):
    """Why ``layer`` cannot run :func:`lean_encoder_layer`, or None.

    Needs :class:`SamplingDeformableAttention` with the fused CPU kernel, an
    FFN of two linears with ReLU, identity and no extra dropout layer, affine
    LayerNorms, and dropouts that are :class:`SeededDropout` (their masks are
    drawn again from seeds) or of probability 0.

    Args:
        layer (nn.Module): An mmdet ``DeformableDetrTransformerEncoderLayer``.

    Returns:
        str or None: The reason, or None when supported.
    """
    attn, ffn = layer.self_attn, layer.ffn
    if not isinstance(attn, SamplingDeformableAttention) or not attn.cpu_kernel:
        return 'the attention is not SamplingDeformableAttention with cpu_kernel=True'
    if not (ffn.add_identity and isinstance(ffn.dropout_layer, nn.Identity)
            and len(ffn.layers) == 3 and isinstance(ffn.layers[0][1], nn.ReLU)):
        return 'the FFN is not Linear-ReLU-Dropout-Linear-Dropout plus identity'
    if not all(
            isinstance(n, nn.LayerNorm) and n.elementwise_affine for n in layer.norms):
        return 'the norms are not affine LayerNorms'
    for drop in _layer_dropouts(layer):
        if drop.p != 0 and not (isinstance(drop, SeededDropout) and drop.p < 1
                                and not drop.inplace):
            return f'a dropout ({drop}) is neither SeededDropout nor of p=0'
    return None


def lean_layer_applies(layer, query, value):
    """Whether :func:`lean_encoder_layer` runs now: a supported layer in
    training mode with gradients on, fp32 CPU tensors, built operators."""
    return (layer.training and torch.is_grad_enabled() and query.device.type == 'cpu'
            and query.dtype == value.dtype == torch.float32 and cpu_ops() is not None
            and lean_layer_unsupported(layer) is None)


def _dropout(x, p, seed):
    """Seeded dropout of ``x`` (also its backward: the same mask and scale),
    or ``x`` when ``seed`` is None."""
    return x if seed is None else cpu_ops().seeded_dropout(x, p, seed)


def _linear_grads(grad, x, weight):
    """Gradients of ``F.linear(x, weight, bias)`` for the output gradient
    ``grad`` (..., out): (input, weight, bias)."""
    g2 = grad.reshape(-1, grad.size(-1))
    return (grad @ weight, g2.t() @ x.reshape(-1, x.size(-1)), g2.sum(0))


class LeanEncoderLayerFunction(torch.autograd.Function):
    """One post-norm deformable encoder layer (attention, LayerNorm, FFN,
    LayerNorm) with a hand-written backward pass.

    Keeps for the backward pass the layer input, the sampling locations and
    weights and the samples (28% of the bytes autograd keeps for the layer's
    modules); the backward pass computes the rest again from these (the
    projected value, the attention output, the FFN: four of the layer's six
    matmuls, none of its sampling) and draws the dropout masks again from
    their seeds. Computes the same function and gradients as the modules.
    """

    @staticmethod
    def forward(ctx, layer, seeds, query, value, query_pos, reference_points,
                key_padding_mask, spatial_shapes, level_start_index, *params):
        ps = [d.p for d in _layer_dropouts(layer)]
        value4, locations, weights = LeanEncoderLayerFunction._sampling_inputs(
            layer.self_attn, query, value, query_pos, reference_points,
            key_padding_mask, spatial_shapes, params)
        samples = cpu_ops().sampling_forward(value4, spatial_shapes, level_start_index,
                                             locations, weights).flatten(2)
        del value4
        out = LeanEncoderLayerFunction._after_sampling(layer, seeds, ps, query, samples,
                                                       params)[-1]
        ctx.layer, ctx.seeds, ctx.ps = layer, seeds, ps
        ctx.save_for_backward(query, value, query_pos, key_padding_mask, spatial_shapes,
                              level_start_index, *params)
        # the layer's own tensors: released one by one in the backward pass as
        # their use ends (as autograd releases each node's)
        ctx.kept = dict(locations=locations, weights=weights, samples=samples)
        return out

    @staticmethod
    def _after_sampling(layer, seeds, ps, query, samples, params):
        """The layer from its samples (B, N_q, C) on: the inputs of both
        LayerNorms with their statistics, the FFN's pre-activation and the
        layer's output, as ``(a0, mean0, rstd0, hidden, a1, mean1, rstd1,
        out)``."""
        wout, bout, g0, be0, w1, b1, w2, b2, g1, be1 = params[6:]
        # in place where autograd would keep a copy: no transient copies
        a0 = _dropout(F.linear(samples, wout, bout), ps[0], seeds[0]).add_(query)
        dims = (query.size(-1), )
        z0, mean0, rstd0 = torch.native_layer_norm(a0, dims, g0, be0,
                                                   layer.norms[0].eps)
        hidden = F.linear(z0, w1, b1)
        ffn = _dropout(torch.relu(hidden), ps[1], seeds[1])
        a1 = _dropout(F.linear(ffn, w2, b2), ps[2], seeds[2]).add_(z0)
        del ffn, z0
        out, mean1, rstd1 = torch.native_layer_norm(a1, dims, g1, be1,
                                                    layer.norms[1].eps)
        return a0, mean0, rstd0, hidden, a1, mean1, rstd1, out

    @staticmethod
    def _sampling_inputs(attn, query, value, query_pos, reference_points,
                         key_padding_mask, spatial_shapes, params):
        """``SamplingDeformableAttention.forward`` up to the sampling: value
        (B, N_v, heads, D), locations (B, N_q, heads, L, P, 2), weights
        (B, N_q, heads, L, P)."""
        woff, boff, wa, ba = params[2:6]
        batch, num_queries, _ = query.shape
        heads, levels, points = attn.num_heads, attn.num_levels, attn.num_points
        q = query + query_pos
        offsets = F.linear(q, woff, boff).view(batch, num_queries, heads, levels,
                                               points, 2)
        weights = F.linear(q, wa, ba).view(batch, num_queries, heads, levels * points)
        weights = weights.softmax(-1).view(batch, num_queries, heads, levels, points)
        del q
        normalizer = spatial_shapes.flip(-1).to(offsets.dtype)
        locations = offsets.div_(normalizer[None, None, None, :,
                                            None, :]).add_(reference_points[:, :,
                                                                            None, :,
                                                                            None, :])
        value = LeanEncoderLayerFunction._value(attn, value, key_padding_mask, params)
        return value, locations, weights

    @staticmethod
    def _value(attn, value, key_padding_mask, params):
        """The projected, masked value (B, N_v, heads, D)."""
        v = F.linear(value, params[0], params[1])
        if key_padding_mask is not None:
            v.masked_fill_(key_padding_mask[..., None], 0.0)
        return v.view(*v.shape[:2], attn.num_heads, -1)

    @staticmethod
    def backward(ctx, grad):
        (query, value, query_pos, key_padding_mask, spatial_shapes, level_start_index,
         *params) = ctx.saved_tensors
        wv, _, woff, _, wa, _, wout, _, g0, be0, w1, _, w2, _, g1, be1 = params
        if ctx.kept is None:
            raise RuntimeError('LeanEncoderLayerFunction: its backward pass runs once '
                               '(retain_graph=True is not supported); build the '
                               'encoder with lean_layers=False for that')
        kept, ctx.kept = ctx.kept, None
        layer, seeds, ps = ctx.layer, ctx.seeds, ctx.ps
        dims, masks = (query.size(-1), ), [True, True, True]
        layer_norm_backward = torch.ops.aten.native_layer_norm_backward
        # the layer from its samples again
        recomputed = LeanEncoderLayerFunction._after_sampling(
            layer, seeds, ps, query, kept['samples'], params)
        a0, mean0, rstd0, hidden, a1, mean1, rstd1 = recomputed[:7]
        del recomputed
        # LayerNorm 1, FFN (a1 = z0 + drop(W2 drop(relu(W1 z0))))
        g_a1, g_g1, g_be1 = layer_norm_backward(grad.contiguous(), a1, dims, mean1,
                                                rstd1, g1, be1, masks)
        del a1
        ffn = _dropout(torch.relu(hidden), ps[1], seeds[1])
        g_ffn, g_w2, g_b2 = _linear_grads(_dropout(g_a1, ps[2], seeds[2]), ffn, w2)
        del ffn
        g_hidden = torch.ops.aten.threshold_backward(_dropout(g_ffn, ps[1], seeds[1]),
                                                     hidden, 0)
        del g_ffn, hidden
        z0 = torch.native_layer_norm(a0, dims, g0, be0, layer.norms[0].eps)[0]
        g_z0, g_w1, g_b1 = _linear_grads(g_hidden, z0, w1)
        del z0, g_hidden
        # LayerNorm 0, attention output (a0 = drop(W_out samples) + query)
        g_z0 += g_a1
        del g_a1
        g_a0, g_g0, g_be0 = layer_norm_backward(g_z0, a0, dims, mean0, rstd0, g0, be0,
                                                masks)
        del g_z0, a0
        g_s, g_wout, g_bout = _linear_grads(_dropout(g_a0, ps[0], seeds[0]),
                                            kept.pop('samples'), wout)
        # sampling, its locations and weights, the value projection
        attn = layer.self_attn
        value4 = LeanEncoderLayerFunction._value(attn, value, key_padding_mask, params)
        weights = kept.pop('weights')
        g_value4, g_loc, g_weights = cpu_ops().sampling_backward(
            g_s.view(*g_s.shape[:2], attn.num_heads, -1), value4, spatial_shapes,
            level_start_index, kept.pop('locations'), weights)
        del value4, g_s
        normalizer = spatial_shapes.flip(-1).to(g_loc.dtype)
        g_off = (g_loc / normalizer[None, None, None, :, None, :]).flatten(2)
        del g_loc
        weights = weights.flatten(3)
        g_logits = torch.ops.aten._softmax_backward_data(g_weights.view_as(weights),
                                                         weights, -1,
                                                         weights.dtype).flatten(2)
        del g_weights
        q = query + query_pos
        g_q, g_woff, g_boff = _linear_grads(g_off, q, woff)
        g_q_w, g_wa, g_ba = _linear_grads(g_logits, q, wa)
        del q, g_off, g_logits
        g_q += g_q_w
        g_v = g_value4.flatten(2)
        if key_padding_mask is not None:
            g_v = g_v.masked_fill(key_padding_mask[..., None], 0.0)
        g_value, g_wv, g_bv = _linear_grads(g_v, value, wv)
        return (None, None, g_a0 + g_q, g_value, g_q, None, None, None, None, g_wv,
                g_bv, g_woff, g_boff, g_wa, g_ba, g_wout, g_bout, g_g0, g_be0, g_w1,
                g_b1, g_w2, g_b2, g_g1, g_be1)


def lean_encoder_layer(layer, query, value, query_pos, reference_points,
                       key_padding_mask, spatial_shapes, level_start_index):
    """``layer``'s forward (post-norm deformable attention + FFN) by
    :class:`LeanEncoderLayerFunction`, for :func:`lean_layer_applies` layers.

    Args:
        layer (nn.Module): A supported ``DeformableDetrTransformerEncoderLayer``.
        query (Tensor): (B, N_q, C), also the residual identity.
        value (Tensor): (B, N_v, C), the tokens of all levels (``query`` itself
            for a full layer).
        query_pos (Tensor): (B, N_q, C).
        reference_points (Tensor): (B, N_q, L, 2), no gradient.
        key_padding_mask (Tensor, optional): (B, N_v) bool, True on padding.
        spatial_shapes (Tensor): (L, 2) long.
        level_start_index (Tensor): (L, ) long.

    Returns:
        Tensor: (B, N_q, C).
    """
    if reference_points.requires_grad:
        raise ValueError('lean_encoder_layer: reference_points must not need gradients')
    attn, ffn = layer.self_attn, layer.ffn
    # one seed per active dropout, drawn in the order the modules draw them
    seeds = [
        int(torch.empty((), dtype=torch.int64).random_()) if d.p > 0 else None
        for d in _layer_dropouts(layer)
    ]
    params = (attn.value_proj.weight, attn.value_proj.bias,
              attn.sampling_offsets.weight, attn.sampling_offsets.bias,
              attn.attention_weights.weight, attn.attention_weights.bias,
              attn.output_proj.weight, attn.output_proj.bias, layer.norms[0].weight,
              layer.norms[0].bias, ffn.layers[0][0].weight, ffn.layers[0][0].bias,
              ffn.layers[1].weight, ffn.layers[1].bias, layer.norms[1].weight,
              layer.norms[1].bias)
    return LeanEncoderLayerFunction.apply(layer, seeds, query, value, query_pos,
                                          reference_points, key_padding_mask,
                                          spatial_shapes, level_start_index, *params)
