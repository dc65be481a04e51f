"""Deformable-DETR multi-scale encoder keeping only the coarsest level (WeCromCL)."""
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmdet.models.layers import DeformableDetrTransformerEncoder, SinePositionalEncoding
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn
from torch.utils.checkpoint import checkpoint

from ..layers.lean_deformable_encoder_layer import (lean_encoder_layer,
                                                    lean_layer_applies,
                                                    lean_layer_unsupported)
from ..layers.sampling_deformable_attention import SamplingDeformableAttention
from ..layers.seeded_dropout import use_seeded_dropout

SAMPLING_IMPLS = ('auto', 'pytorch', 'mmcv')


class MaskedGroupNorm(nn.GroupNorm):
    """GroupNorm whose statistics are taken over the valid positions only.

    With every position valid it is :class:`torch.nn.GroupNorm` (same
    parameters, same state-dict keys), and runs it (one fused operator that
    keeps only its input and statistics for the backward pass); padded
    positions get normalised values too but do not change the valid ones.
    """

    def forward(self, x, valid):
        """Normalise.

        Args:
            x (Tensor): (B, C, H, W).
            valid (Tensor): (B, H, W) bool, True on real positions.

        Returns:
            Tensor: (B, C, H, W).
        """
        if bool(valid.all()):
            return super().forward(x)
        b, c, h, w = x.shape
        groups = x.reshape(b, self.num_groups, -1, h * w)
        weight = valid.reshape(b, 1, 1, h * w).to(x.dtype)
        count = weight.sum(-1, keepdim=True) * groups.size(2)
        mean = (groups * weight).sum((2, 3), keepdim=True) / count
        var = ((groups - mean).square() * weight).sum((2, 3), keepdim=True) / count
        x = ((groups - mean) * torch.rsqrt(var + self.eps)).reshape(b, c, h, w)
        if self.affine:
            x = x * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)
        return x


@MODELS.register_module()
class DeformableEncoder(BaseModule):
    """Multi-scale deformable attention encoder (Zhu et al., ICLR 2021).

    Each level is projected by a 1x1 conv + GroupNorm (statistics over the
    valid positions only) to ``embed_dims``; a normalised sine position
    encoding (normalised by each image's valid extent, DETR's
    ``(cumsum + pos_offset) / (total + 1e-6) * 2 pi``) plus a learned level
    embedding is the query position; mmdet's
    ``DeformableDetrTransformerEncoder`` (post-norm layers of MMCV's
    ``MultiScaleDeformableAttention`` + FFN) runs over the tokens of all
    levels with padded tokens masked as values and reference points scaled
    by the valid ratios. Only the last (coarsest) level's tokens are kept and
    projected by a 1x1 conv (no bias by default, as the authors') to
    ``out_channels``. Since nothing else is used,
    the last layer runs on those queries alone (values still from all levels),
    which gives the same result with fewer sampled queries.

    With valid masks, the output on the valid cells does not depend on the
    padding (its size or the features there): the padded values are zeroed
    like grid-sampling outside the map, and positions, reference points and
    norm statistics only depend on the valid region.

    Args:
        in_channels (tuple[int]): Channels of each level, finest first.
            Defaults to (192, 192) (stride 4 and 8).
        embed_dims (int): Model width. Defaults to 192.
        num_layers (int): Encoder layers. Defaults to 6.
        num_heads (int): Attention heads. Defaults to 8.
        num_points (int): Sampling points per head and level. Defaults to 4.
        feedforward_channels (int): FFN hidden width. Defaults to 256.
        dropout (float): Dropout of attention and FFN. Defaults to 0.1.
        out_channels (int): Output channels. Defaults to 512.
        num_groups (int): GroupNorm groups of the input projections; must
            divide ``embed_dims``. Defaults to 32.
        pos_offset (float): Offset added to the cumulative sums of the sine
            position encoding before normalisation. Defaults to -0.5, as
            Deformable DETR and the WeCromCL authors (0 was this project's
            earlier encoding).
        output_bias (bool): Bias of the 1x1 output projection. Defaults to
            False, as the authors' ``channel_to_512``.
        sampling (str): How the attention samples (same function, same keys):
            ``'auto'``, :class:`SamplingDeformableAttention` with our fused
            kernel for fp32 CPU tensors (compiled on first use; PyTorch if it
            cannot be built) and MMCV's CUDA kernel for CUDA tensors where MMCV
            has it (PyTorch elsewhere); ``'pytorch'``, the same with PyTorch
            sampling only (one level's samples alive at a time); ``'mmcv'``,
            MMCV's ``MultiScaleDeformableAttention`` (its CUDA kernel on CUDA
            tensors, which fails where MMCV was built without it, its PyTorch
            function elsewhere). Defaults to ``'auto'``.
        recompute_sampling (bool): With PyTorch sampling, keep no samples for
            the backward pass and compute them again there. Defaults to False.
        seeded_dropout (bool): The layers' dropouts are
            :class:`~mmocr_oclip.models.layers.SeededDropout`: masks of the same
            distribution drawn by a counter-based generator and drawn again in
            the backward pass instead of being kept (fp32 CPU tensors; torch's
            dropout elsewhere). Defaults to False (torch's dropout, as the
            authors).
        lean_layers (bool): Training forwards run each layer as
            :class:`~mmocr_oclip.models.layers.LeanEncoderLayerFunction`: the
            same function and gradients; a layer keeps its input, sampling
            locations and weights and samples for the backward pass (28% of
            its modules' bytes) and computes the rest again there (four of its
            six matmuls, no sampling). Needs ``sampling='auto'`` and
            ``seeded_dropout=True`` (or ``dropout=0``); applies to fp32 CPU
            tensors (the modules run elsewhere) and not with ``with_cp``.
            Defaults to False.
        with_cp (bool): Activation checkpointing of each encoder layer
            (``torch.utils.checkpoint``, random state preserved, so dropout
            draws the same masks again): less memory, about one more forward
            pass of the encoder. Defaults to False.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels=(192, 192),
                 embed_dims=192,
                 num_layers=6,
                 num_heads=8,
                 num_points=4,
                 feedforward_channels=256,
                 dropout=0.1,
                 out_channels=512,
                 num_groups=32,
                 pos_offset=-0.5,
                 output_bias=False,
                 sampling='auto',
                 recompute_sampling=False,
                 seeded_dropout=False,
                 lean_layers=False,
                 with_cp=False,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if sampling not in SAMPLING_IMPLS:
            raise ValueError(f'{__file__}: sampling must be one of {SAMPLING_IMPLS}, '
                             f'got {sampling!r}')
        if recompute_sampling and sampling == 'mmcv':
            raise ValueError(f'{__file__}: recompute_sampling=True needs '
                             "sampling='auto' or 'pytorch'")
        if num_layers < 1:
            raise ValueError(f'{__file__}: num_layers must be >= 1, got {num_layers}')
        if embed_dims % num_groups or embed_dims % 2:
            raise ValueError(f'{__file__}: embed_dims={embed_dims} must be even '
                             f'and divisible by num_groups={num_groups}')
        self.num_levels = len(in_channels)
        self.input_convs = nn.ModuleList(
            [nn.Conv2d(c, embed_dims, kernel_size=1) for c in in_channels])
        self.input_norms = nn.ModuleList(
            [MaskedGroupNorm(num_groups, embed_dims) for _ in in_channels])
        self.positional_encoding = SinePositionalEncoding(num_feats=embed_dims // 2,
                                                          normalize=True,
                                                          offset=pos_offset)
        self.level_embed = nn.Parameter(torch.empty(self.num_levels, embed_dims))
        self.encoder = DeformableDetrTransformerEncoder(
            num_layers=num_layers,
            layer_cfg=dict(self_attn_cfg=dict(embed_dims=embed_dims,
                                              num_heads=num_heads,
                                              num_levels=self.num_levels,
                                              num_points=num_points,
                                              dropout=dropout,
                                              batch_first=True),
                           ffn_cfg=dict(embed_dims=embed_dims,
                                        feedforward_channels=feedforward_channels,
                                        ffn_drop=dropout)))
        if sampling != 'mmcv':
            for layer in self.encoder.layers:
                layer.self_attn = SamplingDeformableAttention(
                    **layer.self_attn_cfg,
                    recompute_sampling=recompute_sampling,
                    cuda_kernel=sampling == 'auto',
                    cpu_kernel=sampling == 'auto')
        if seeded_dropout:
            use_seeded_dropout(self.encoder)
        if lean_layers:
            reasons = {lean_layer_unsupported(layer) for layer in self.encoder.layers}
            if reasons != {None}:
                raise ValueError(
                    f'{__file__}: lean_layers=True needs sampling=\'auto\' '
                    'and seeded_dropout=True (or dropout=0): '
                    f'{sorted(r for r in reasons if r)[0]}')
        self.lean_layers = lean_layers
        self.with_cp = with_cp
        self.output_proj = nn.Conv2d(embed_dims,
                                     out_channels,
                                     kernel_size=1,
                                     bias=output_bias)
        self._init_parameters()

    def _init_parameters(self):
        """Deformable DETR's initialisation (as mmdet's ``DeformableDETR``)."""
        for p in self.encoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for m in self.encoder.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()
        for conv in self.input_convs:
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)
        nn.init.normal_(self.level_embed)

    def forward(self, feats, valid_masks=None, full_last_layer=False):
        """Encode and return the coarsest level.

        Args:
            feats (tuple[Tensor]): Per level (B, in_channels[l], h_l, w_l),
                finest first (stride 4, stride 8).
            valid_masks (list[Tensor], optional): Per level (B, h_l, w_l)
                bool, True on real (unpadded) cells; each image's valid cells
                are a top-left rectangle. None: all valid.
            full_last_layer (bool): Run the last layer on the queries of all
                levels (mmdet's encoder forward) and keep the last level
                afterwards. Same result, slower; for checks and timing.

        Returns:
            Tensor: (B, out_channels, h_L, w_L), the last level's map
            (padded cells carry values but were masked as values).
        """
        if len(feats) != self.num_levels:
            raise ValueError(f'{__file__}: expected {self.num_levels} feature '
                             f'maps, got {len(feats)}')
        batch = feats[0].size(0)
        if valid_masks is None:
            valid_masks = [
                f.new_ones(batch, *f.shape[-2:], dtype=torch.bool) for f in feats
            ]
        queries, positions, paddings, ratios, shapes = [], [], [], [], []
        for lvl, (feat, valid) in enumerate(zip(feats, valid_masks)):
            if valid.shape != (batch, *feat.shape[-2:]):
                raise ValueError(f'{__file__}: valid mask {lvl} has shape '
                                 f'{tuple(valid.shape)}, feature map '
                                 f'{tuple(feat.shape)}')
            x = self.input_norms[lvl](self.input_convs[lvl](feat), valid)
            pos = self.positional_encoding(~valid).to(x.dtype)
            pos = pos + self.level_embed[lvl].view(1, -1, 1, 1)
            h, w = x.shape[-2:]
            shapes.append((h, w))
            queries.append(x.flatten(2).transpose(1, 2))
            positions.append(pos.flatten(2).transpose(1, 2))
            paddings.append(~valid.flatten(1))
            valid_h = valid[:, :, 0].sum(1).to(x.dtype)
            valid_w = valid[:, 0, :].sum(1).to(x.dtype)
            ratios.append(torch.stack([valid_w / w, valid_h / h], -1))
        query = torch.cat(queries, 1)
        query_pos = torch.cat(positions, 1)
        key_padding_mask = torch.cat(paddings, 1)
        valid_ratios = torch.stack(ratios, 1)  # B, L, 2 (x, y)
        spatial_shapes = torch.tensor(shapes, dtype=torch.long, device=query.device)
        level_start_index = torch.cat(
            [spatial_shapes.new_zeros(1),
             spatial_shapes.prod(1).cumsum(0)[:-1]])
        kwargs = dict(key_padding_mask=key_padding_mask,
                      spatial_shapes=spatial_shapes,
                      level_start_index=level_start_index)
        last_start = sum(h * w for h, w in shapes[:-1])
        if full_last_layer:
            memory = self.encoder(query=query,
                                  query_pos=query_pos,
                                  valid_ratios=valid_ratios,
                                  **kwargs)
            out = memory[:, last_start:]
        else:
            out = self._encode_last_level(query, query_pos, valid_ratios, last_start,
                                          **kwargs)
        h, w = shapes[-1]
        out = out.transpose(1, 2).reshape(batch, -1, h, w)
        return self.output_proj(out)

    def _encode_last_level(self, query, query_pos, valid_ratios, last_start,
                           key_padding_mask, spatial_shapes, level_start_index):
        """The encoder with its last layer on the last level's queries only.

        Args:
            query, query_pos (Tensor): (B, N, C) tokens of all levels.
            valid_ratios (Tensor): (B, L, 2).
            last_start (int): Index of the last level's first token.
            key_padding_mask (Tensor): (B, N) bool, True on padding.
            spatial_shapes (Tensor): (L, 2) long.
            level_start_index (Tensor): (L, ) long.

        Returns:
            Tensor: (B, N_L, C), the last level's outputs.
        """
        reference_points = self.encoder.get_encoder_reference_points(
            spatial_shapes, valid_ratios, device=query.device)
        kwargs = dict(key_padding_mask=key_padding_mask,
                      spatial_shapes=spatial_shapes,
                      level_start_index=level_start_index)
        # checkpointed layers keep their inputs only: no lean layers in them
        lean = self.lean_layers and not self.with_cp
        for layer in self.encoder.layers[:-1]:
            if lean and lean_layer_applies(layer, query, query):
                query = lean_encoder_layer(layer, query, query, query_pos,
                                           reference_points, key_padding_mask,
                                           spatial_shapes, level_start_index)
                continue
            query = self._run(layer,
                              query=query,
                              query_pos=query_pos,
                              reference_points=reference_points,
                              valid_ratios=valid_ratios,
                              **kwargs)
        last = self.encoder.layers[-1]
        if lean and lean_layer_applies(last, query, query):
            last_level = slice(last_start, None)
            return lean_encoder_layer(last, query[:, last_level], query,
                                      query_pos[:, last_level],
                                      reference_points[:, last_level], key_padding_mask,
                                      spatial_shapes, level_start_index)
        return self._run(self._last_layer,
                         query,
                         query_pos,
                         reference_points,
                         last_start=last_start,
                         **kwargs)

    def _run(self, function, *args, **kwargs):
        """``function(*args, **kwargs)``, checkpointed when ``with_cp`` is set
        and gradients are computed."""
        if self.with_cp and torch.is_grad_enabled():
            return checkpoint(function, *args, use_reentrant=False, **kwargs)
        return function(*args, **kwargs)

    def _last_layer(self, query, query_pos, reference_points, last_start, **kwargs):
        """``DeformableDetrTransformerEncoderLayer.forward`` of the last layer
        for the last level's queries (values from all levels)."""
        last = self.encoder.layers[-1]
        out = last.self_attn(query=query[:, last_start:],
                             value=query,
                             query_pos=query_pos[:, last_start:],
                             reference_points=reference_points[:, last_start:],
                             **kwargs)
        out = last.norms[0](out)
        out = last.ffn(out)
        return last.norms[1](out)
