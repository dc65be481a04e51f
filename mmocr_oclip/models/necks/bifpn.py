"""BiFPN (EfficientDet) over ResNet's C2..C5, as WeCromCL's first neck."""
import math

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn


class BiFPNBlock(BaseModule):
    """One BiFPN block: top-down then bottom-up fast normalised fusion.

    Every fusion node sums its inputs with weights ``relu(w) / (sum + eps)``
    (one learnable weight per input), then applies swish and a 1x1 conv
    without bias (+ ``norm_cfg``, none in the authors' code). Top-down
    inputs are upsampled to the exact size of the target level (odd sizes
    work); bottom-up inputs are downsampled by a 3x3 stride-2
    max-pool (padding 1, i.e. ``ceil(n / 2)``, matching ResNet's strides).

    Args:
        channels (int): Channels of every level.
        num_levels (int): Number of levels. Defaults to 4.
        norm_cfg (dict, optional): Norm after each fusion conv. Defaults to
            None (the authors').
        upsample_mode (str): ``'nearest'`` or ``'bilinear'``.
        eps (float): Fusion-weight normaliser epsilon. Defaults to 1e-4.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 channels,
                 num_levels=4,
                 norm_cfg=None,
                 upsample_mode='nearest',
                 eps=1e-4,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.upsample_mode = upsample_mode
        self.eps = eps

        def fusion_conv():
            return ConvModule(
                channels,
                channels,
                1,
                bias=False,
                norm_cfg=norm_cfg,
                # swish, x * sigmoid(x), as torch's fused SiLU: one
                # tensor kept for the backward pass instead of two
                act_cfg=dict(type='SiLU'),
                order=('act', 'conv', 'norm'))

        # top-down nodes for levels num_levels-2 .. 0 (2 inputs each);
        # bottom-up nodes for levels 1 .. num_levels-1 (3 inputs, 2 at the top)
        self.td_weights = nn.ParameterList(
            [nn.Parameter(torch.ones(2)) for _ in range(num_levels - 1)])
        self.td_convs = nn.ModuleList([fusion_conv() for _ in range(num_levels - 1)])
        self.bu_weights = nn.ParameterList([
            nn.Parameter(torch.ones(3 if i < num_levels - 1 else 2))
            for i in range(1, num_levels)
        ])
        self.bu_convs = nn.ModuleList([fusion_conv() for _ in range(num_levels - 1)])

    def _fuse(self, weight, inputs, conv):
        weight = F.relu(weight)
        weight = weight / (weight.sum() + self.eps)
        return conv(sum(w * x for w, x in zip(weight, inputs)))

    def _upsample(self, x, like):
        if self.upsample_mode == 'nearest':
            return F.interpolate(x, size=like.shape[-2:], mode='nearest')
        return F.interpolate(x,
                             size=like.shape[-2:],
                             mode=self.upsample_mode,
                             align_corners=False)

    def forward(self, feats):
        """Fuse the levels.

        Args:
            feats (list[Tensor]): L maps (B, C, H_l, W_l), finest first, with
                ``H_{l+1} = ceil(H_l / 2)`` (same for W).

        Returns:
            list[Tensor]: L maps of the same shapes.
        """
        num_levels = len(feats)
        # top-down: td[l] = conv(fuse(P_l, up(td[l+1]))), td[top] = P_top
        td = [None] * num_levels
        td[-1] = feats[-1]
        for i, lvl in enumerate(range(num_levels - 2, -1, -1)):
            td[lvl] = self._fuse(
                self.td_weights[i],
                [feats[lvl], self._upsample(td[lvl + 1], feats[lvl])], self.td_convs[i])
        # bottom-up: out[l] = conv(fuse(P_l, td[l], down(out[l-1]))), no td at top
        outs = [td[0]]
        for i, lvl in enumerate(range(1, num_levels)):
            down = F.max_pool2d(outs[-1], kernel_size=3, stride=2, padding=1)
            inputs = [feats[lvl], down
                      ] if lvl == num_levels - 1 else [feats[lvl], td[lvl], down]
            outs.append(self._fuse(self.bu_weights[i], inputs, self.bu_convs[i]))
        return outs


@MODELS.register_module()
class BiFPN(BaseModule):
    """Stacked BiFPN blocks (Tan et al., EfficientDet, CVPR 2020) on C2..C5.

    Each input level is first projected to ``out_channels`` by a 3x3
    conv + norm + ReLU; then ``num_blocks`` :class:`BiFPNBlock` s fuse them.
    WeCromCL uses two blocks at 256 channels. As in the authors' code (Wu et
    al., ECCV 2024), the 1x1 fusion convs of the blocks have neither bias nor
    norm (``fusion_norm_cfg=None``); ``fusion_norm_cfg=dict(type='BN')`` puts a
    BatchNorm after each of them (this project's earlier layout).

    Args:
        in_channels (list[int]): Channels of C2..C5 (any number of levels
            >= 2). Defaults to ResNet-50's [256, 512, 1024, 2048].
        out_channels (int): Channels of every output. Defaults to 256.
        num_blocks (int): Stacked BiFPN blocks. Defaults to 2.
        norm_cfg (dict, optional): Norm of the input projections. Defaults
            to BN.
        fusion_norm_cfg (dict, optional): Norm after each 1x1 fusion conv.
            Defaults to None (the authors').
        upsample_mode (str): ``'nearest'`` (default) or ``'bilinear'``.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 in_channels=(256, 512, 1024, 2048),
                 out_channels=256,
                 num_blocks=2,
                 norm_cfg=dict(type='BN'),
                 fusion_norm_cfg=None,
                 upsample_mode='nearest',
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if len(in_channels) < 2:
            raise ValueError(f'{__file__}: BiFPN needs at least 2 levels, '
                             f'got in_channels={in_channels}')
        if upsample_mode not in ('nearest', 'bilinear'):
            raise ValueError(f'{__file__}: upsample_mode must be "nearest" or '
                             f'"bilinear", got {upsample_mode!r}')
        self.in_channels = list(in_channels)
        self.lateral_convs = nn.ModuleList([
            ConvModule(c, out_channels, 3, padding=1, norm_cfg=norm_cfg)
            for c in in_channels
        ])
        self.blocks = nn.ModuleList([
            BiFPNBlock(out_channels,
                       num_levels=len(in_channels),
                       norm_cfg=fusion_norm_cfg,
                       upsample_mode=upsample_mode) for _ in range(num_blocks)
        ])

    def forward(self, feats):
        """Project and fuse.

        Args:
            feats (tuple[Tensor]): C2..C5, (B, in_channels[l], H_l, W_l) with
                ``H_{l+1} = ceil(H_l / 2)`` (ResNet's rounding).

        Returns:
            tuple[Tensor]: P2..P5, (B, out_channels, H_l, W_l).
        """
        if len(feats) != len(self.in_channels):
            raise ValueError(f'{__file__}: expected {len(self.in_channels)} '
                             f'feature maps, got {len(feats)}')
        for lvl in range(1, len(feats)):
            expected = tuple(math.ceil(s / 2) for s in feats[lvl - 1].shape[-2:])
            if tuple(feats[lvl].shape[-2:]) != expected:
                raise ValueError(f'{__file__}: level {lvl} has size '
                                 f'{tuple(feats[lvl].shape[-2:])}, expected {expected} '
                                 f'(ceil half of level {lvl - 1})')
        outs = [conv(x) for conv, x in zip(self.lateral_convs, feats)]
        for block in self.blocks:
            outs = block(outs)
        return tuple(outs)
