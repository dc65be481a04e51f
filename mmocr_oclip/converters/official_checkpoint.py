"""Shared helpers of the importers of the authors' released checkpoints
(:mod:`official_oclip`, :mod:`official_wecromcl`): read a checkpoint file
safely, rename its keys onto one of our models and check every tensor, naming
each unknown, missing and mis-shaped key."""
import os
import os.path as osp
import pickle
import re
import struct
from collections import OrderedDict

import torch

from mmocr_oclip.models.utils.dictionary_check import DICTIONARY_KEY

MAX_LISTED = 20


class OfficialCheckpointError(ValueError):
    """The checkpoint does not match the model it is converted into."""


def strip_module_prefix(state_dict):
    """``state_dict`` with a leading ``module.`` removed from every key."""
    return OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v)
                       for k, v in state_dict.items())


def listing(keys):
    """Up to :data:`MAX_LISTED` keys, one a line, and how many more there are."""
    shown = ''.join(f'\n  {k}' for k in keys[:MAX_LISTED])
    more = len(keys) - MAX_LISTED
    return shown + (f'\n  ... and {more} more' if more > 0 else '')


def load_official_checkpoint(path):
    """The state_dict of an authors' checkpoint file, ``module.`` stripped.

    The file is read with ``weights_only=True``; it may be a dict with a
    ``state_dict`` entry (the authors' DDP checkpoints) or a raw state_dict.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        OfficialCheckpointError: the file cannot be read or holds no state_dict.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint not found: {path}')
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
            f'{listing(not_tensors)}\n(top-level keys: {list(ckpt)})')
    return strip_module_prefix(state_dict)


def fit_shape(value, shape):
    """``value`` in ``shape``, dropping leading singleton dims; None if it can't."""
    if value.shape == shape:
        return value
    extra = value.dim() - len(shape)
    leading = value.shape[:max(extra, 0)]
    if extra > 0 and value.shape[extra:] == shape and set(leading) == {1}:
        return value.reshape(shape)
    return None


def map_state_dict(state_dict,
                   model_state_dict,
                   key_to_ours,
                   shape_hints=None,
                   convert=None,
                   unused=(),
                   generic_hint='check that --config describes the checkpoint'):
    """Map an authors' state_dict onto our model's keys and check it.

    Keys lose a leading ``module.`` and are renamed by ``key_to_ours``; keys
    fully matching one of the ``unused`` patterns (parameters the authors'
    forward never uses) are dropped. Every tensor is then passed through
    ``convert`` and compared with ``model_state_dict``: a tensor that differs
    only by leading singleton dimensions is reshaped; tensors are cast to the
    model's dtypes. The only missing keys tolerated are BN
    ``num_batches_tracked`` buffers (filled with zeros) and ``dictionary_codes``
    (the authors' checkpoints lack it), copied from ``model_state_dict`` so
    that the converted checkpoint records the dictionary the model was built
    with.

    Args:
        state_dict (dict): The authors' state_dict (with or without ``module.``).
        model_state_dict (dict): ``state_dict()`` of the target model.
        key_to_ours (callable): authors' key -> our key, or None if unknown.
        shape_hints (callable, optional): ``(our key, their shape, our shape)
            -> list[str]`` of hints for a mis-shaped key.
        convert (callable, optional): ``(our key, value) -> value``, e.g. to
            re-order rows; may raise :class:`OfficialCheckpointError`.
        unused (Sequence[str]): regular expressions of authors' keys to drop.
        generic_hint (str): Hint when ``shape_hints`` has none.

    Returns:
        OrderedDict: The converted state_dict, in ``model_state_dict``'s order,
        which the model loads with ``strict=True``.

    Raises:
        OfficialCheckpointError: naming every unknown key (no mapping, or mapped
        to a key the model lacks), missing key and mis-shaped key.
    """
    converted, unknown = {}, []
    for key, value in strip_module_prefix(state_dict).items():
        if any(re.fullmatch(pattern, key) for pattern in unused):
            continue
        ours = key_to_ours(key)
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
        problems.append(f'unknown keys in the checkpoint:{listing(unknown)}')
    if missing:
        problems.append(f'keys missing from the checkpoint:{listing(missing)}')
    new_state_dict = OrderedDict()
    misshaped, hints = [], []
    for key, target in model_state_dict.items():
        if key == DICTIONARY_KEY:
            new_state_dict[key] = target.clone()
            continue
        if key not in converted:
            new_state_dict[key] = torch.zeros_like(target)
            continue
        value = converted[key]
        if convert is not None:
            value = convert(key, value)
        fitted = fit_shape(value, target.shape)
        if fitted is None:
            theirs = tuple(value.shape)
            misshaped.append(f'{key}: checkpoint {theirs}, model {tuple(target.shape)}')
            found = shape_hints(key, theirs, tuple(target.shape)) if shape_hints else []
            hints += [h for h in found or [generic_hint] if h not in hints]
            continue
        new_state_dict[key] = fitted.to(target.dtype)
    if misshaped:
        hints.sort(key=lambda h: h == generic_hint)
        problems.append(f'mis-shaped keys:{listing(misshaped)}\n' +
                        '\n'.join(f'hint: {h}' for h in hints))
    if problems:
        raise OfficialCheckpointError('\n'.join(problems))
    return new_state_dict


def build_model(config, dict_file=None, cfg_options=None):
    """The model of ``config`` (a path), with the overrides applied.

    Args:
        config (str): Config file.
        dict_file (str, optional): Sets ``model.tokenizer.dict_file``.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS

    if not osp.isfile(config):
        raise FileNotFoundError(f'config not found: {config}')
    cfg = Config.fromfile(config)
    if dict_file is not None:
        if not osp.isfile(dict_file):
            raise FileNotFoundError(f'dictionary file not found: {dict_file}')
        tokenizer = cfg.model.get('tokenizer', dict(type='CharacterTokenizer'))
        cfg.model.tokenizer = dict(tokenizer, dict_file=dict_file)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    return MODELS.build(cfg.model)


def conversion_argument_parser(description, model_name, config_help):
    """The command line of a converter tool: ``SRC DST [--config CONFIG]
    [--cfg-options KEY=VALUE ...]`` (a tool adds its own options)."""
    import argparse

    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('src', help="the authors' checkpoint")
    parser.add_argument('dst', help=f'{model_name} checkpoint to write')
    parser.add_argument('--config', help=config_help)
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser


def packaged_config(path):
    """The config ``path`` (relative to ``configs/``) as installed with the
    package (``mmocr_oclip/.mim/configs``, where ``mim`` finds it)."""
    import mmocr_oclip
    return osp.join(osp.dirname(mmocr_oclip.__file__), '.mim', 'configs', path)


def save_converted(dst, state_dict, meta):
    """Write ``dict(meta=meta, state_dict=state_dict)`` to ``dst``."""
    dst_dir = osp.dirname(osp.abspath(dst))
    os.makedirs(dst_dir, exist_ok=True)
    torch.save(dict(meta=meta, state_dict=state_dict), dst)
