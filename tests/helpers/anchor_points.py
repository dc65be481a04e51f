"""Anchor-point models and images."""
import os.path as osp

import torch
from mmengine.config import Config
from mmocr.registry import MODELS

from mmocr_oclip.datasets.preparers.rendering import render_dataset
from helpers import REPO

WECROMCL_DEMO = osp.join(REPO,
                         'configs/pretrain/wecromcl_r50-w16_1xb16-400i_synthetic.py')


def tiny_wecromcl():
    """The demo config's WeCromCL at widths 16-32, one encoder layer."""
    cfg = Config.fromfile(WECROMCL_DEMO)
    cfg.model.backbone.base_channels = 4
    cfg.model.neck = [
        dict(type='BiFPN', in_channels=[16, 32, 64, 128], out_channels=16,
             num_blocks=1),
        dict(type='MultiScaleConcatNeck', in_channels=16, branch_channels=8),
    ]
    cfg.model.encoder.update(in_channels=(24, 24),
                             embed_dims=24,
                             num_layers=1,
                             num_heads=2,
                             feedforward_channels=32,
                             out_channels=32,
                             num_groups=8)
    cfg.model.text_encoder.update(width=32, num_layers=1, num_heads=2, embed_dim=32)
    cfg.model.head.update(text_dims=32, image_dims=32, attn_dims=32)
    for step in cfg.test_dataloader.dataset.pipeline:
        if step.type == 'Resize':
            step.scale = (96, 96)
    return cfg


def save_model(cfg, tmp_path, name):
    """Write ``cfg`` and a checkpoint of its randomly initialised model."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    ckpt = tmp_path / f'{name}.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    config = tmp_path / f'{name}.py'
    cfg.dump(str(config))
    return str(config), str(ckpt)


# sizes that are not multiples of the strides: the last grid cells overhang
ANCHOR_IMG_SIZE = (70, 100)
ANCHOR_WORDS = ['cat', 'Cat', 'dog', 'emu!']


def render_anchor_images(root, num_images):
    """``num_images`` rendered test images of :data:`ANCHOR_WORDS` (2-4 each, a
    word may repeat) at :data:`ANCHOR_IMG_SIZE` in ``root``."""
    render_dataset(str(root),
                   num_images,
                   split='test',
                   seed=5,
                   img_size=ANCHOR_IMG_SIZE,
                   words=ANCHOR_WORDS,
                   words_per_image=(2, 4),
                   font_size=(12, 24))
    return root
