"""Record a model's type in its checkpoints; refuse a checkpoint of another type.

A checkpoint given to the wrong model otherwise fails with a wall of
size-mismatch lines (a detector's checkpoint) or with a misleading error (an
oCLIP checkpoint under a WeCromCL config differs first in its dictionary).
:func:`register_model_type_check` makes a model write its class name into the
metadata of its state dict (``state_dict._metadata[prefix]['model_type']``,
saved by ``torch.save`` and MMEngine's checkpoints alike, so by ``mim train``
runs) and check a checkpoint's type before any weight is loaded. Checkpoints
without the record (older ones, MMOCR detectors, converted official weights)
are recognised by their keys.
"""
import re

from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model

# the record's key in the state dict metadata of the model's prefix
MODEL_TYPE_KEY = 'model_type'
# families recognised by the keys of checkpoints that record no type
DETECTOR = 'text detector'
OFFICIAL_OCLIP = "official oCLIP (the authors' release, not converted)"
_DETECTOR_KEYS = ('det_head.', 'rpn_head.', 'roi_head.', 'wrapped_model.rpn_head.',
                  'wrapped_model.roi_head.')
# ``model = dict(...)`` of a config's pretty text, and its top-level ``type``
_CFG_MODEL = re.compile(r'^model = dict\(.*?(?=^\S)', re.MULTILINE | re.DOTALL)
_CFG_TYPE = re.compile(r"(?:^model = dict\(|^    )type='(?:\w+\.)?(\w+)'", re.MULTILINE)
_CFG_WRAPPED_TYPE = re.compile(r"^    cfg=dict\(.*?^        type='(?:\w+\.)?(\w+)'",
                               re.MULTILINE | re.DOTALL)
_ALGORITHMS = ('WeCromCL', 'OCLIP')


class ModelTypeMismatchError(ValueError):
    """A checkpoint of another type of model than the one the config builds."""


def register_model_type_check(model):
    """Record ``type(model).__name__`` in its state dicts; check it at load time.

    Registers on ``model`` a state-dict hook writing ``model_type`` into the
    state dict's metadata of the model's prefix, and a load_state_dict
    pre-hook that raises :class:`ModelTypeMismatchError` before any weight is
    loaded when the checkpoint is of another type (see
    :func:`model_type_mismatch`). Call it in ``__init__``.

    Args:
        model (nn.Module): the model (e.g. :class:`WeCromCL`).
    """
    if hasattr(model, 'register_state_dict_post_hook'):
        model.register_state_dict_post_hook(_record_model_type)
    else:  # torch < 2.5
        model._register_state_dict_hook(_record_model_type)
    model.register_load_state_dict_pre_hook(_check_model_type)


def _record_model_type(module, state_dict, prefix, local_metadata):
    """State-dict hook of :func:`register_model_type_check`."""
    local_metadata[MODEL_TYPE_KEY] = type(module).__name__


def _check_model_type(module, state_dict, prefix, local_metadata, strict, missing_keys,
                      unexpected_keys, error_msgs):
    """Load-state-dict pre-hook of :func:`register_model_type_check`."""
    keys = [k[len(prefix):] for k in state_dict if k.startswith(prefix)]
    message = model_type_mismatch(module, keys, local_metadata.get(MODEL_TYPE_KEY))
    if message:
        raise ModelTypeMismatchError(message)


def _article(text):
    return ('an ' if text[:1].upper() in 'AEIOU' else 'a ') + text


def _cfg_model_type(cfg_text):
    """The model ``type`` of a config's pretty text (``meta['cfg']``), or None."""
    if not isinstance(cfg_text, str):
        return None
    block = _CFG_MODEL.search(cfg_text + '\n#')
    match = _CFG_TYPE.search(block.group(0)) if block else None
    if match and match.group(1) == 'MMDetWrapper':  # MMOCR's Mask R-CNN
        match = _CFG_WRAPPED_TYPE.search(block.group(0)) or match
    return match.group(1) if match else None


def infer_model_type(keys, cfg_text=None):
    """The family of a checkpoint that records no model type, from its keys.

    Args:
        keys (Iterable[str]): its state dict keys (relative to the model).
        cfg_text (str, optional): the config it was trained with (MMEngine
            checkpoints: ``meta['cfg']``), to name a detector's class.

    Returns:
        tuple[str | None, str]: the family (``'WeCromCL'``, ``'OCLIP'``,
        :data:`DETECTOR`, :data:`OFFICIAL_OCLIP` or None if unknown) and how
        to name it in a message.
    """
    keys = list(keys)

    def has(*prefixes):
        return any(k.startswith(prefixes) for k in keys)

    if has(*_DETECTOR_KEYS):
        name = _cfg_model_type(cfg_text) or 'e.g. PSENet'
        return DETECTOR, f'{DETECTOR} ({name})'
    if has('visual.', 'module.visual.') and has('transformer.', 'module.transformer.'):
        return OFFICIAL_OCLIP, OFFICIAL_OCLIP
    if has('text_encoder.') and has('encoder.') and has('head.'):
        return 'WeCromCL', 'WeCromCL'
    if has('text_encoder.') and has('neck.'):
        return 'OCLIP', 'OCLIP'
    return None, 'unknown'


def _model_family(model):
    """``'WeCromCL'``/``'OCLIP'`` for these algorithms and subclasses, else the
    family of its own keys."""
    names = [cls.__name__ for cls in type(model).__mro__]
    for name in _ALGORITHMS:
        if name in names:
            return name
    return infer_model_type(model.state_dict().keys())[0]


def model_type_mismatch(model, keys, recorded=None, cfg_text=None):
    """Why a checkpoint does not fit ``model``'s type, or None if it may.

    The checkpoint's type is the class name it records, else its family by
    its keys (:func:`infer_model_type`); a checkpoint of an unknown family
    passes (the loading itself reports missing or mis-shaped keys).

    Args:
        model (nn.Module): the model built by the config.
        keys (Iterable[str]): the checkpoint's keys, relative to ``model``.
        recorded (str, optional): the checkpoint's ``model_type`` record.
        cfg_text (str, optional): the checkpoint's ``meta['cfg']``.

    Returns:
        str | None: ``'this checkpoint is a <type> checkpoint; this config
        builds <type>: <what to do>'``.
    """
    ours = type(model).__name__
    if recorded is not None:
        if recorded in [cls.__name__ for cls in type(model).__mro__]:
            return None
        theirs, how = recorded, 'recorded in the checkpoint'
        family = recorded if recorded in _ALGORITHMS else None
    else:
        family, theirs = infer_model_type(keys, cfg_text)
        our_family = _model_family(model)
        if family is None or our_family is None or family == our_family:
            return None
        how = 'judging by its keys'
    if family == OFFICIAL_OCLIP:
        fix = ('convert it with tools/convert_official_oclip.py, then use it with '
               'an OCLIP config')
    elif family in _ALGORITHMS:
        fix = (f'give {_article(ours)} checkpoint, or use a config that builds '
               f'{family} (configs/pretrain/{family.lower()}_*.py)')
    elif family == DETECTOR:
        fix = (f'give {_article(ours)} checkpoint (a detector has no text encoder; '
               'its backbone came from a pre-training checkpoint)')
    else:
        fix = f'give {_article(ours)} checkpoint'
    return (f'this checkpoint is {_article(theirs)} checkpoint ({how}); this config '
            f'builds {ours}: {fix}')


def check_checkpoint_model_type(model, checkpoint, filename=None):
    """Raise if a loaded checkpoint is of another model type than ``model``.

    What the load_state_dict pre-hook of :func:`register_model_type_check`
    does, before loading and with the file name and the checkpoint's
    ``meta['cfg']`` (which names a detector's class).

    Args:
        model (nn.Module): the model built by the config.
        checkpoint (dict): as loaded: ``{'state_dict', 'meta', ...}`` or a
            state dict.
        filename (str, optional): the file, to start the message.

    Raises:
        ModelTypeMismatchError: another model type.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta') if 'state_dict' in checkpoint else None
    metadata = getattr(state_dict, '_metadata', None) or {}
    recorded = metadata.get('', {}).get(MODEL_TYPE_KEY)
    if recorded is None and isinstance(meta, dict):
        recorded = meta.get(MODEL_TYPE_KEY)
    keys = [re.sub(r'^module\.', '', k) for k in state_dict]
    cfg_text = meta.get('cfg') if isinstance(meta, dict) else None
    message = model_type_mismatch(model, keys, recorded, cfg_text)
    if message:
        raise ModelTypeMismatchError(f'{filename}: {message}' if filename else message)


def load_typed_checkpoint(model, filename, strict=True, map_location='cpu'):
    """MMEngine's ``load_checkpoint``, checking the model type first.

    Raises:
        ModelTypeMismatchError: the checkpoint is of another model type
            (:func:`check_checkpoint_model_type`), before any weight is loaded.

    Returns:
        dict: the checkpoint.
    """
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise RuntimeError(f'{filename}: no state_dict in the checkpoint')
    check_checkpoint_model_type(model, checkpoint, filename)
    return _load_checkpoint_to_model(model, checkpoint, strict=strict)
