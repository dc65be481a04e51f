"""Tiny models for unit tests, derived from the real configs.

Each is the model of a pre-training base config (``configs/pretrain/_base_/``)
with smaller sizes and, where a test needs it, a named behaviour switched;
everything else (module types, the authors' defaults, the data preprocessor) is
the config's, so that the tests follow the configs.
"""
import math
import os.path as osp

from mmengine.config import Config

from helpers import REPO

OCLIP_BASE = osp.join(REPO, 'configs', 'pretrain', '_base_', 'oclip_rn50.py')
WECROMCL_BASE = osp.join(REPO, 'configs', 'pretrain', '_base_', 'wecromcl_r50.py')


def derived_model(config, options, key='model'):
    """The ``key`` dict of ``config`` with ``options`` (``--cfg-options``-style
    keys below ``key``, list items by index) merged in."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({
        f'{key}.{k}': v
        for k, v in options.items()
    },
                        allow_list_keys=True)
    node = cfg
    for name in key.split('.'):
        node = node[name]
    return node.to_dict()


# sizes: C5 has 128 channels, widths of 16
OCLIP_SIZES_TINY = {
    'backbone.base_channels': 4,
    'neck.in_channels': 128,
    'neck.embed_dim': 16,
    'neck.num_heads': 4,
    'neck.spatial_size': 2,
    'text_encoder.width': 16,
    'text_encoder.num_layers': 1,
    'text_encoder.num_heads': 2,
    'text_encoder.embed_dim': 16,
    'decoder.embed_dim': 16,
    'decoder.num_layers': 1,
    'decoder.num_heads': 2,
    'decoder.spatial_size': 2,
}
# an image's text embedding is the mean over its real words (the tests of the
# authors' 32 word slots set text_slots themselves)
OCLIP_BEHAVIOUR = {'text_slots': None}

# the oCLIP base at tiny sizes
TINY_OCLIP = derived_model(OCLIP_BASE, {**OCLIP_SIZES_TINY, **OCLIP_BEHAVIOUR})

# the full-width ResNet-50 (the backbone a detector loads) and a small text side
WIDE_OCLIP = derived_model(
    OCLIP_BASE, {
        'neck.embed_dim': 32,
        'neck.num_heads': 8,
        'text_encoder.width': 16,
        'text_encoder.num_layers': 1,
        'text_encoder.num_heads': 2,
        'text_encoder.embed_dim': 32,
        'decoder.embed_dim': 32,
        'decoder.num_layers': 1,
        'decoder.num_heads': 2,
        **OCLIP_BEHAVIOUR
    })

# the WeCromCL base at tiny sizes (C2..C5 = 16, 32, 64, 128 channels) with this
# project's fixes of the authors' defects switched on (padding masked in the
# encoder, head and text encoder, mean over the real characters, false negatives
# masked, clamped temperature) and the 68-character dictionary with an end token;
# test_wecromcl_parity.py checks the authors' defaults
TINY_WECROMCL = derived_model(
    WECROMCL_BASE, {
        'backbone.base_channels': 4,
        'neck.0.in_channels': [16, 32, 64, 128],
        'neck.0.out_channels': 16,
        'neck.1.in_channels': 16,
        'neck.1.branch_channels': 8,
        'encoder.in_channels': (24, 24),
        'encoder.embed_dims': 24,
        'encoder.num_layers': 2,
        'encoder.num_heads': 4,
        'encoder.num_points': 2,
        'encoder.feedforward_channels': 32,
        'encoder.out_channels': 16,
        'encoder.num_groups': 8,
        'text_encoder.width': 16,
        'text_encoder.num_layers': 1,
        'text_encoder.num_heads': 2,
        'text_encoder.embed_dim': 16,
        'text_encoder.pooling': 'mean',
        'text_encoder.mask_padding': True,
        'head.text_dims': 16,
        'head.image_dims': 16,
        'head.attn_dims': 16,
        'tokenizer.dict_file': 'lowercase_68.txt',
        'tokenizer.max_len': 26,
        'tokenizer.end_token': True,
        'mask_padding': True,
        'mask_false_negatives': True,
        'max_logit_scale': math.log(100),
    })

# WeCromCL's DeformableEncoder alone, on two levels of 12 channels, no dropout
TINY_DEFORMABLE_ENCODER = derived_model(WECROMCL_BASE, {
    'in_channels': (12, 12),
    'embed_dims': 32,
    'num_layers': 2,
    'num_heads': 4,
    'num_points': 2,
    'feedforward_channels': 32,
    'dropout': 0.0,
    'out_channels': 16,
    'num_groups': 8,
},
                                        key='model.encoder')
