"""CLIP "modified ResNet" image encoder of oCLIP at depths 50 and 101."""
from mmdet.models.backbones.resnet import Bottleneck
from mmengine.model.weight_init import constant_init
from mmocr.models.common.backbones.clip_resnet import CLIPBottleneck, CLIPResNet
from mmocr.registry import MODELS


@MODELS.register_module()
class OCLIPResNet(CLIPResNet):
    """The CLIP ResNet of oCLIP, depth 50 or 101.

    Depth 50 is MMOCR's :class:`mmocr.models.CLIPResNet` key for key and shape for
    shape, so checkpoints move between the two with no renaming; depth 101 has 23
    bottlenecks in ``layer3``. Stem: three 3x3 convs (3->32->32->64, the first with
    stride 2) and a 2x2 average pool; every bottleneck downsamples with an average
    pool after ``conv2``. Unlike mmdet's ResNet (whose ``zero_init_residual`` does
    not reach :class:`CLIPBottleneck`), the last BN (``bn3``) of every bottleneck is
    zero-initialised, as in oCLIP, unless weights are loaded from a checkpoint.

    Input ``(N, 3, H, W)``; outputs the stages in ``out_indices`` at strides
    4/8/16/32 with ``base_channels * 4 * 2**i`` channels (256/512/1024/2048).

    Args:
        depth (int): 50 or 101. Defaults to 50.
        zero_init_residual (bool): Zero-initialise ``bn3`` of every bottleneck.
            Defaults to True.
        **kwargs: Keyword arguments of :class:`mmocr.models.CLIPResNet`
            (``base_channels``, ``out_indices``, ``frozen_stages``, ``norm_eval``,
            ``init_cfg`` ...).
    """
    arch_settings = {
        50: (CLIPBottleneck, (3, 4, 6, 3)),
        101: (CLIPBottleneck, (3, 4, 23, 3)),
    }

    def __init__(self, depth=50, zero_init_residual=True, **kwargs):
        if depth not in self.arch_settings:
            raise KeyError(f'invalid depth {depth} for OCLIPResNet: choose from '
                           f'{sorted(self.arch_settings)}')
        super().__init__(depth=depth, zero_init_residual=zero_init_residual, **kwargs)

    def init_weights(self):
        """Kaiming/constant init (or checkpoint loading), then zero ``bn3``."""
        super().init_weights()
        init_cfgs = self.init_cfg if isinstance(self.init_cfg,
                                                list) else [self.init_cfg]
        loaded = any(cfg and cfg.get('type') == 'Pretrained' for cfg in init_cfgs)
        if self.zero_init_residual and not loaded:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    constant_init(m.norm3, 0)
