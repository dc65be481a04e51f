"""Import the authors' released oCLIP checkpoints into :class:`OCLIP`.

The authors' code (a fork of open_clip) names the model's parts ``visual.*``,
``transformer.*``, ``transformer_decoder.*`` ...; their DDP checkpoints are
``{'epoch', 'name', 'state_dict', 'optimizer'}`` with ``module.``-prefixed keys.
"""
import pickle
import re
import struct
from collections import OrderedDict

import torch

from .dictionary_check import DICTIONARY_KEY

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
MAX_LISTED = 20
GENERIC_HINT = 'check that --config describes the checkpoint (depth, widths, layers)'


class OfficialCheckpointError(ValueError):
    """The checkpoint does not match the model it is converted into."""


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


def strip_module_prefix(state_dict):
    """``state_dict`` with a leading ``module.`` removed from every key."""
    return OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                       for k, v in state_dict.items())


def load_official_checkpoint(path):
    """The state_dict of an authors' checkpoint file, ``module.`` stripped.

    The file is read with ``weights_only=True``; it may be a dict with a
    ``state_dict`` entry (the authors' DDP checkpoints) or a raw state_dict.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        OfficialCheckpointError: the file cannot be read or holds no state_dict.
    """
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as e:
        # torch names the refused class in its 'WeightsUnpickler error' line
        found = re.search(r'WeightsUnpickler error: ([^\n]*?)( Please|\n|$)', str(e))
        reason = found.group(1) if found else str(e)
        raise OfficialCheckpointError(
            f'cannot load {path} with weights_only=True: {reason} (the file holds '
            'a non-tensor object; only tensors, numbers, strings and containers '
            'are read)') from e
    except (EOFError, RuntimeError, struct.error) as e:
        raise OfficialCheckpointError(f'cannot read {path}: {e}') from e
    if not isinstance(ckpt, dict):
        raise OfficialCheckpointError(
            f'{path} holds a {type(ckpt).__name__}, not a checkpoint dict')
    state_dict = ckpt.get('state_dict', ckpt)
    if not isinstance(state_dict, dict):
        raise OfficialCheckpointError(
            f"{path}: 'state_dict' is a {type(state_dict).__name__}, not a dict")
    not_tensors = [k for k, v in state_dict.items() if not isinstance(v, torch.Tensor)]
    if not_tensors:
        raise OfficialCheckpointError(
            f'{path} has no state_dict of tensors; non-tensor entries:'
            f'{_listing(not_tensors)}\n(top-level keys: {list(ckpt)})')
    return strip_module_prefix(state_dict)


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

    Returns:
        OrderedDict: The converted state_dict, in ``model_state_dict``'s order,
        which the model loads with ``strict=True``.

    Raises:
        OfficialCheckpointError: naming every unknown key (no mapping, or mapped
        to a key the model lacks), missing key and mis-shaped key.
    """
    converted, unknown = {}, []
    for key, value in strip_module_prefix(state_dict).items():
        ours = official_key_to_ours(key)
        if ours is None or ours not in model_state_dict:
            unknown.append(key if ours is None else f'{key} (-> {ours})')
        else:
            converted[ours] = value
    missing = [
        k for k in model_state_dict if k not in converted
        and not k.endswith('num_batches_tracked') and k != DICTIONARY_KEY
    ]
    problems = []
    if unknown:
        problems.append(f'unknown keys in the checkpoint:{_listing(unknown)}')
    if missing:
        problems.append(f'keys missing from the checkpoint:{_listing(missing)}')
    new_state_dict = OrderedDict()
    misshaped, hints = [], []
    for key, target in model_state_dict.items():
        if key == DICTIONARY_KEY:
            new_state_dict[key] = target.clone()
            continue
        if key not in converted:
            new_state_dict[key] = torch.zeros_like(target)
            continue
        value = _fit_shape(converted[key], target.shape)
        if value is None:
            theirs = tuple(converted[key].shape)
            misshaped.append(f'{key}: checkpoint {theirs}, model {tuple(target.shape)}')
            hints += [
                h for h in _shape_hints(key, theirs, tuple(target.shape))
                if h not in hints
            ]
            continue
        new_state_dict[key] = value.to(target.dtype)
    if misshaped:
        hints.sort(key=lambda h: h == GENERIC_HINT)
        problems.append(f'mis-shaped keys:{_listing(misshaped)}\n' +
                        '\n'.join(f'hint: {h}' for h in hints))
    if problems:
        raise OfficialCheckpointError('\n'.join(problems))
    return new_state_dict


def _fit_shape(value, shape):
    """``value`` in ``shape``, dropping leading singleton dims; None if it can't."""
    if value.shape == shape:
        return value
    extra = value.dim() - len(shape)
    leading = value.shape[:max(extra, 0)]
    if extra > 0 and value.shape[extra:] == shape and set(leading) == {1}:
        return value.reshape(shape)
    return None


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
    return hints or [GENERIC_HINT]


def _listing(keys):
    """Up to :data:`MAX_LISTED` keys, one a line, and how many more there are."""
    shown = ''.join(f'\n  {k}' for k in keys[:MAX_LISTED])
    more = len(keys) - MAX_LISTED
    return shown + (f'\n  ... and {more} more' if more > 0 else '')
