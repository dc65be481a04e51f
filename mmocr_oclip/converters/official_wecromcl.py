"""Import the authors' released WeCromCL (stage 1) checkpoints into :class:`WeCromCL`.

The authors' code (Wu et al., ECCV 2024; github.com/ZhengyaoFang/WeCromCL)
saves a DataParallel state_dict (``module.``-prefixed keys) of one module with
``backbone`` (torchvision ResNet-50, with its unused ``fc``), ``repeated_bifpn``
(two BiFPN blocks, the first with the 3x3 input projections ``fpn_in2..5``),
the six concat-neck branches ``fpn_out{5_3,4_3,3_3,4_2,3_2,2_2}``, the
deformable ``encoder``, the 192->512 projection ``channel_to_512``, the text
transformer ``text_encoder.resblocks`` with ``token_embedding``,
``positional_embedding``, ``ln_final`` and ``text_projection`` at the top
level, the text-as-query head ``attn_pool`` and ``logit_scale``.
"""
import os.path as osp
import re

import torch

from mmocr_oclip.models.utils.dictionary_check import DICTIONARY_KEY
from mmocr_oclip.models.utils.model_type_check import MODEL_TYPE_KEY
from .official_checkpoint import (OfficialCheckpointError, build_model,
                                  load_official_checkpoint, map_state_dict,
                                  packaged_config, save_converted)

# the config of the authors' model and schedule (relative to configs/)
DEFAULT_CONFIG = 'pretrain/wecromcl_r50_1xb16-200k_synthtext.py'

# The authors' alphabet as their YAML writes it (a plain scalar: ``\'`` and
# ``\\`` stay two characters each). They lower-case it and drop repeated
# characters, keeping the first: token id i + 1 is character i of
# AUTHORS_ALPHABET (0 = padding; their embedding has 71 rows, row 70 unused).
_AUTHORS_YAML_ALPHABET = ('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
                          'abcdefghijklmnopqrstuvwxyz'
                          ' !"#$%&\\\'()*+,-./:;<=>?@[\\\\]^_`{|}~')
AUTHORS_ALPHABET = ''.join(dict.fromkeys(_AUTHORS_YAML_ALPHABET.lower()))
AUTHORS_VOCAB_ROWS = len(AUTHORS_ALPHABET) + 2
# the packaged dictionary of AUTHORS_ALPHABET, in their id order
AUTHORS_DICT_FILE = 'wecromcl_69.txt'
TOKEN_KEY = 'text_encoder.token_embedding.weight'

# authors' BiFPN names -> (our list, index) in a BiFPNBlock
_BIFPN = {
    'w_4_5': ('td_weights', 0),
    'w_3_4': ('td_weights', 1),
    'w_2_3': ('td_weights', 2),
    'w_2up_3in_3up': ('bu_weights', 0),
    'w_3up_4in_4up': ('bu_weights', 1),
    'w_5in_5up': ('bu_weights', 2),
    'conv4_up': ('td_convs', 0),
    'conv3_up': ('td_convs', 1),
    'conv2_up': ('td_convs', 2),
    'conv3_out': ('bu_convs', 0),
    'conv4_out': ('bu_convs', 1),
    'conv5_out': ('bu_convs', 2),
}
# authors' concat-neck branch prefix -> ours: stride 4 = cat(P4, P3, P2),
# stride 8 = cat(P5, P4, P3); fpn_out2_2 is a bare conv-BN-ReLU, the others sit
# in a Sequential with their upsampling
_BRANCHES = {
    'fpn_out4_2.0': 'neck.1.branches.0.0',
    'fpn_out3_2.0': 'neck.1.branches.0.1',
    'fpn_out2_2': 'neck.1.branches.0.2',
    'fpn_out5_3.0': 'neck.1.branches.1.0',
    'fpn_out4_3.0': 'neck.1.branches.1.1',
    'fpn_out3_3.0': 'neck.1.branches.1.2',
}
_CONV_BN = {'0': 'conv', '1': 'bn'}
_ENCODER_LAYER = {
    'linear1': 'ffn.layers.0.0',
    'linear2': 'ffn.layers.1',
    'norm1': 'norms.0',
    'norm2': 'norms.1',
}
# (authors' key pattern, our key) for the keys renamed by patterns alone
KEY_RULES = (
    (r'backbone\.(.+)', r'backbone.\1'),
    (r'encoder\.input_proj\.(\d+)\.0\.(.+)', r'encoder.input_convs.\1.\2'),
    (r'encoder\.input_proj\.(\d+)\.1\.(.+)', r'encoder.input_norms.\1.\2'),
    (r'encoder\.level_embed', r'encoder.level_embed'),
    (r'encoder\.encoder\.layers\.(\d+)\.self_attn\.(.+)',
     r'encoder.encoder.layers.\1.self_attn.\2'),
    (r'channel_to_512\.0\.(.+)', r'encoder.output_proj.\1'),
    (r'text_encoder\.resblocks\.(.+)', r'text_encoder.resblocks.\1'),
    (r'token_embedding\.(.+)', r'text_encoder.token_embedding.\1'),
    (r'positional_embedding', r'text_encoder.positional_embedding'),
    (r'ln_final\.(.+)', r'text_encoder.ln_final.\1'),
    (r'text_projection', r'text_encoder.text_projection'),
    (r'attn_pool\.([qkv])_proj\.(.+)', r'head.\1_proj.\2'),
    (r'attn_pool\.c_proj\.(.+)', r'head.out_proj.\1'),
    (r'logit_scale', r'logit_scale'),
)
# authors' parameters their forward never uses: torchvision's classifier
UNUSED_KEYS = (r'backbone\.fc\..+', )
GENERIC_HINT = ('check that --config describes the checkpoint (widths, layers); '
                'the default is configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py')


def official_key_to_ours(key):
    """Our :class:`WeCromCL` key of an authors' key (without ``module.``).

    Returns:
        str | None: the key, or None if the authors' key has no mapping.
    """
    match = re.fullmatch(r'repeated_bifpn\.0\.fpn_in([2-5])\.([01])\.(.+)', key)
    if match:
        level, layer, rest = match.groups()
        return (f'neck.0.lateral_convs.{int(level) - 2}.{_CONV_BN[layer]}.{rest}')
    match = re.fullmatch(r'repeated_bifpn\.(\d+)\.(\w+?)(\.weight)?', key)
    if match and match.group(2) in _BIFPN:
        block, name, weight = match.groups()
        part, index = _BIFPN[name]
        if part.endswith('weights'):
            return None if weight else f'neck.0.blocks.{block}.{part}.{index}'
        return f'neck.0.blocks.{block}.{part}.{index}.conv.weight' if weight else None
    match = re.fullmatch(r'(fpn_out\d_\d(?:\.0)?)\.([01])\.(.+)', key)
    if match and match.group(1) in _BRANCHES:
        prefix, layer, rest = match.groups()
        return f'{_BRANCHES[prefix]}.{_CONV_BN[layer]}.{rest}'
    match = re.fullmatch(r'encoder\.encoder\.layers\.(\d+)\.(\w+)\.(.+)', key)
    if match and match.group(2) in _ENCODER_LAYER:
        layer, name, rest = match.groups()
        return f'encoder.encoder.layers.{layer}.{_ENCODER_LAYER[name]}.{rest}'
    for pattern, ours in KEY_RULES:
        match = re.fullmatch(pattern, key)
        if match:
            return match.expand(ours)
    return None


def token_rows(dictionary, num_rows):
    """Rows of the authors' token embedding for our token ids, in our order.

    Our id 0 (padding) is their 0; our id ``i + 1`` (character
    ``dictionary[i]``) is their id of that character; our mask id
    ``len(dictionary) + 1`` (unused by WeCromCL) is their unused last row.

    Args:
        dictionary (str | Sequence[str]): our characters in token-id order.
        num_rows (int): our embedding rows (``len(dictionary) + 2``, the
            tokenizer's ``end_token=False`` layout).

    Returns:
        Tensor: (num_rows,) long, indices into the authors' embedding.

    Raises:
        OfficialCheckpointError: a character outside the authors' alphabet,
            or our vocabulary has another layout.
    """
    dictionary = list(dictionary)
    unknown = sorted({c for c in dictionary if c not in AUTHORS_ALPHABET})
    if unknown:
        raise OfficialCheckpointError(
            f"characters of the model's dictionary outside the authors' alphabet: "
            f'{"".join(unknown)!r}; their weights have no embedding for them: use '
            f"the dictionary {AUTHORS_DICT_FILE} (or a subset of it)")
    if num_rows != len(dictionary) + 2:
        raise OfficialCheckpointError(
            f"{TOKEN_KEY}: the model's vocabulary has {num_rows} tokens for "
            f'{len(dictionary)} characters; the authors\' layout has padding + '
            'characters + one unused row: set model.tokenizer.end_token=False')
    ids = [0] + [AUTHORS_ALPHABET.index(c) + 1 for c in dictionary]
    return torch.tensor(ids + [AUTHORS_VOCAB_ROWS - 1])


def convert_official_state_dict(state_dict, model_state_dict):
    """Map an authors' WeCromCL state_dict onto our :class:`WeCromCL` and check it.

    Keys are renamed by :func:`official_key_to_ours` (``backbone.fc.*`` is
    dropped); the token embedding's rows (the authors' alphabet order) are
    re-ordered into the model's dictionary order (its ``dictionary_codes``);
    everything else as :func:`map_state_dict`.

    Args:
        state_dict (dict): The authors' state_dict (with or without ``module.``).
        model_state_dict (dict): ``state_dict()`` of the target :class:`WeCromCL`.

    Returns:
        OrderedDict: The converted state_dict, which the model loads with
        ``strict=True``.

    Raises:
        OfficialCheckpointError: naming every unknown, missing and mis-shaped
        key, or a dictionary the authors' embedding cannot serve.
    """
    dictionary = ''.join(map(chr, model_state_dict[DICTIONARY_KEY].tolist()))

    def convert(key, value):
        if key != TOKEN_KEY:
            return value
        if value.dim() != 2 or value.size(0) != AUTHORS_VOCAB_ROWS:
            return value  # reported as mis-shaped
        return value[token_rows(dictionary, model_state_dict[key].size(0))]

    return map_state_dict(state_dict,
                          model_state_dict,
                          official_key_to_ours,
                          shape_hints=_shape_hints,
                          convert=convert,
                          unused=UNUSED_KEYS,
                          generic_hint=GENERIC_HINT)


def _shape_hints(key, theirs, ours):
    """How to make the model match the checkpoint for a mis-shaped key."""
    if key == TOKEN_KEY and theirs[0] != ours[0]:
        return [
            f"the authors' token embedding has {AUTHORS_VOCAB_ROWS} rows "
            f'({len(AUTHORS_ALPHABET)} characters + padding + one unused), the '
            f'checkpoint {theirs[0]}'
        ]
    if key == TOKEN_KEY or key == 'text_encoder.positional_embedding':
        return [
            f"the checkpoint's text encoder has width {theirs[-1]} and "
            f'{theirs[0]} rows; set model.text_encoder.width and the '
            'tokenizer max_len (25)'
        ]
    return []


def convert_official_checkpoint(src, dst, config=None, cfg_options=None):
    """Convert the authors' checkpoint ``src`` into a WeCromCL checkpoint ``dst``.

    Args:
        src (str): The authors' checkpoint.
        dst (str): The WeCromCL checkpoint to write (the whole model).
        config (str, optional): WeCromCL config of the model; default: the
            installed :data:`DEFAULT_CONFIG`, the authors' model.
        cfg_options (dict, optional): ``--cfg-options`` overrides.

    Returns:
        dict: the checkpoint's ``meta``: ``converted_from``, ``config``,
        ``model_type`` (``'WeCromCL'``, also recorded in the state dict's
        metadata as by our training runs), ``dict_file`` and ``dictionary``
        (the characters of the token ids 1..N, also the state dict's
        ``dictionary_codes``).
    """
    config = config or packaged_config(DEFAULT_CONFIG)
    state_dict = load_official_checkpoint(src)
    model = build_model(config, cfg_options=cfg_options)
    if type(model).__name__ != 'WeCromCL':
        raise OfficialCheckpointError(f'{config} builds a {type(model).__name__}, '
                                      'not a WeCromCL model')
    new_state_dict = convert_official_state_dict(state_dict, model.state_dict())
    model.load_state_dict(new_state_dict, strict=True)
    meta = {
        'converted_from': src,
        'config': config,
        MODEL_TYPE_KEY: type(model).__name__,
        'dict_file': osp.basename(model.tokenizer.dict_file),
        'dictionary': ''.join(map(chr, new_state_dict[DICTIONARY_KEY].tolist()))
    }
    # the model's own state dict: the same tensors, with the model type
    # recorded in its metadata
    save_converted(dst, model.state_dict(), meta)
    return meta
