"""Import the authors' released oCLIP checkpoints into :class:`OCLIP`.

The authors' code (a fork of open_clip) names the model's parts ``visual.*``,
``transformer.*``, ``transformer_decoder.*`` ...; their DDP checkpoints are
``{'epoch', 'name', 'state_dict', 'optimizer'}`` with ``module.``-prefixed keys.
"""
import os.path as osp
import re

from .official_checkpoint import (OfficialCheckpointError, build_model,
                                  load_official_checkpoint, map_state_dict,
                                  packaged_config, save_converted, strip_module_prefix)

__all__ = [
    'CLIP_MEAN', 'CLIP_STD', 'DEFAULT_CONFIGS', 'OfficialCheckpointError',
    'convert_official_checkpoint', 'convert_official_state_dict', 'default_config',
    'load_official_checkpoint', 'official_key_to_ours', 'official_resnet_depth',
    'strip_module_prefix'
]

# the pre-training config of each ResNet depth (relative to configs/)
DEFAULT_CONFIGS = {
    50: 'pretrain/oclip_rn50_synthtext.py',
    101: 'pretrain/oclip_rn101_synthtext.py',
}

# CLIP's normalisation, which the authors pre-trained with, in MMOCR units (0-255).
CLIP_MEAN = (122.770938, 116.7460125, 104.09373615)
CLIP_STD = (68.5005327, 66.6321579, 70.32316305)

# (authors' key pattern, our key) in the order they are tried; keys after
# stripping ``module.``.
KEY_RULES = (
    (r'visual\.conv1\.(.+)', r'backbone.stem.0.\1'),
    (r'visual\.bn1\.(.+)', r'backbone.stem.1.\1'),
    (r'visual\.conv2\.(.+)', r'backbone.stem.3.\1'),
    (r'visual\.bn2\.(.+)', r'backbone.stem.4.\1'),
    (r'visual\.conv3\.(.+)', r'backbone.stem.6.\1'),
    (r'visual\.bn3\.(.+)', r'backbone.stem.7.\1'),
    # CLIPResNet's downsample.0 is the parameter-free AvgPool
    (r'visual\.(layer\d+\.\d+)\.downsample\.0\.(.+)', r'backbone.\1.downsample.1.\2'),
    (r'visual\.(layer\d+\.\d+)\.downsample\.1\.(.+)', r'backbone.\1.downsample.2.\2'),
    (r'visual\.(layer\d+\.\d+\.(conv|bn)[123]\..+)', r'backbone.\1'),
    (r'visual\.attnpool\.(.+)', r'neck.\1'),
    (r'token_embedding\.(.+)', r'text_encoder.token_embedding.\1'),
    (r'positional_embedding', r'text_encoder.positional_embedding'),
    (r'transformer\.resblocks\.(.+)', r'text_encoder.resblocks.\1'),
    (r'ln_final\.(.+)', r'text_encoder.ln_final.\1'),
    (r'text_projection', r'text_encoder.text_projection'),
    (r'logit_scale', r'logit_scale'),
    (r'transformer_decoder\.resblocks\.(.+)', r'decoder.resblocks.\1'),
    (r'image_pos', r'decoder.image_pos'),
    (r'ln_final_decoder\.(.+)', r'decoder.ln_final.\1'),
    (r'text_class\.(.+)', r'decoder.text_class.\1'),
)
VOCAB_KEYS = ('text_encoder.token_embedding.weight', 'decoder.text_class.weight',
              'decoder.text_class.bias')
GENERIC_HINT = 'check that --config describes the checkpoint (depth, widths, layers)'


def official_key_to_ours(key):
    """Our :class:`OCLIP` key of an authors' key (without ``module.``).

    Returns:
        str | None: the key, or None if the authors' key has no mapping.
    """
    for pattern, ours in KEY_RULES:
        match = re.fullmatch(pattern, key)
        if match:
            return match.expand(ours)
    return None


def official_resnet_depth(keys):
    """101 if the authors' keys have 23 bottlenecks in ``layer3``, else 50."""
    blocks = {
        m.group(1)
        for m in (re.match(r'(?:module\.)?visual\.layer3\.(\d+)\.', k) for k in keys)
        if m
    }
    return 101 if len(blocks) == 23 else 50


def convert_official_state_dict(state_dict, model_state_dict):
    """Map an authors' state_dict onto our :class:`OCLIP`'s keys and check it.

    Keys lose a leading ``module.``, are renamed (:data:`KEY_RULES`) and every
    tensor is compared with ``model_state_dict``. A tensor that differs only by
    leading singleton dimensions (e.g. ``image_pos`` stored as (1, N, E)) is
    reshaped; tensors are cast to the model's dtypes. The only missing keys
    tolerated are BN ``num_batches_tracked`` buffers (CLIP checkpoints may lack
    them), filled with zeros, and ``dictionary_codes``, which the authors'
    checkpoints lack: it is copied from ``model_state_dict`` (the dictionary
    the model was built with, whose size was checked against the token
    embedding), so the converted checkpoint records its dictionary.

    Args:
        state_dict (dict): The authors' state_dict (with or without ``module.``).
        model_state_dict (dict): ``state_dict()`` of the target :class:`OCLIP`.

    Returns and raises as :func:`map_state_dict`: the converted state_dict in
    the model's key order (it loads with ``strict=True``), or an
    :class:`OfficialCheckpointError` naming every unknown, missing and
    mis-shaped key.
    """
    return map_state_dict(state_dict,
                          model_state_dict,
                          official_key_to_ours,
                          shape_hints=_shape_hints,
                          generic_hint=GENERIC_HINT)


def _shape_hints(key, theirs, ours):
    """How to make the model match the checkpoint for a mis-shaped key."""
    hints = []
    if key in VOCAB_KEYS and theirs[0] != ours[0]:
        hints.append(f"the checkpoint's vocabulary has {theirs[0]} tokens, the "
                     f'dictionary gives {ours[0] - 3} + 3 = {ours[0]}; pass '
                     f"--dict-file with the checkpoint's dictionary "
                     f'({theirs[0] - 3} characters)')
    if key == 'text_encoder.token_embedding.weight' and theirs[1:] != ours[1:]:
        hints.append(f"the checkpoint's text encoder width is {theirs[-1]}; set "
                     f'--cfg-options model.text_encoder.width={theirs[-1]} (the LSVT '
                     'model has 384: configs/pretrain/oclip_rn50_lsvt.py)')
    if key in ('neck.positional_embedding',
               'decoder.image_pos') and theirs[0] != ours[0]:
        hints.append('the position embedding grid differs; set '
                     'model.neck.spatial_size and model.decoder.spatial_size')
    return hints


def default_config(keys):
    """The installed pre-training config of the ResNet depth found in the
    authors' keys (:data:`DEFAULT_CONFIGS`)."""
    return packaged_config(DEFAULT_CONFIGS[official_resnet_depth(keys)])


def convert_official_checkpoint(src,
                                dst,
                                config=None,
                                dict_file=None,
                                cfg_options=None):
    """Convert the authors' checkpoint ``src`` into an OCLIP checkpoint ``dst``.

    Args:
        src (str): The authors' checkpoint.
        dst (str): The OCLIP checkpoint to write (``meta``: ``converted_from``,
            ``config``; ``state_dict``: the whole model).
        config (str, optional): OCLIP config of the model; default: by the
            depth of the checkpoint (:func:`default_config`).
        dict_file (str, optional): Dictionary of the checkpoint's vocabulary
            (sets ``model.tokenizer.dict_file``).
        cfg_options (dict, optional): ``--cfg-options`` overrides.

    Returns:
        str: the config used.
    """
    if not osp.isfile(src):
        raise FileNotFoundError(f'checkpoint not found: {src}')
    state_dict = load_official_checkpoint(src)
    config = config or default_config(state_dict)
    model = build_model(config, dict_file, cfg_options)
    new_state_dict = convert_official_state_dict(state_dict, model.state_dict())
    model.load_state_dict(new_state_dict, strict=True)
    save_converted(dst, new_state_dict, dict(converted_from=src, config=config))
    return config
