"""WeCromCL's second neck: P2..P5 concatenated into a stride-4 and a stride-8 map."""
import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import nn


@MODELS.register_module()
class MultiScaleConcatNeck(BaseModule):
    """Two multi-scale maps from P2..P5 by per-level branches and concatenation.

    Six 3x3 conv + norm + ReLU branches (``in_channels`` -> ``branch_channels``)
    are bilinearly upsampled to the size of the target level and concatenated:
    stride 4: ``cat(P4 up4, P3 up2, P2)``; stride 8: ``cat(P5 up4, P4 up2, P3)``.

    Args:
        in_channels (int): Channels of P2..P5. Defaults to 256.
        branch_channels (int): Channels of each branch. Defaults to 64.
        norm_cfg (dict, optional): Norm config. Defaults to BN.
        align_corners (bool): ``align_corners`` of the bilinear upsampling.
            Defaults to True, as the authors' code (Wu et al., ECCV 2024);
            False was this project's earlier choice.
        init_cfg (dict, optional): MMEngine init config.
    """

    # (source level, target level) of the branches of each output (P2 = level 0)
    BRANCHES = (((2, 0), (1, 0), (0, 0)), ((3, 1), (2, 1), (1, 1)))

    def __init__(self,
                 in_channels=256,
                 branch_channels=64,
                 norm_cfg=dict(type='BN'),
                 align_corners=True,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.align_corners = align_corners
        self.branches = nn.ModuleList([
            nn.ModuleList([
                ConvModule(in_channels,
                           branch_channels,
                           3,
                           padding=1,
                           norm_cfg=norm_cfg) for _ in output
            ]) for output in self.BRANCHES
        ])

    def forward(self, feats):
        """Build the two maps.

        Args:
            feats (tuple[Tensor]): P2..P5, (B, in_channels, H_l, W_l).

        Returns:
            tuple[Tensor]: the stride-4 map (B, 3 * branch_channels, H_0, W_0)
            and the stride-8 map (B, 3 * branch_channels, H_1, W_1).
        """
        if len(feats) != 4:
            raise ValueError(f'{__file__}: expected 4 maps P2..P5, got {len(feats)}')
        outs = []
        for convs, output in zip(self.branches, self.BRANCHES):
            parts = []
            for conv, (src, dst) in zip(convs, output):
                x = conv(feats[src])
                if src != dst:
                    x = F.interpolate(x,
                                      size=feats[dst].shape[-2:],
                                      mode='bilinear',
                                      align_corners=self.align_corners)
                parts.append(x)
            outs.append(torch.cat(parts, dim=1))
        return tuple(outs)
