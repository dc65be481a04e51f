"""Importers of the authors' released checkpoints: oCLIP
(:mod:`.official_oclip`) and WeCromCL stage 1 (:mod:`.official_wecromcl`), with
their shared helpers (:mod:`.official_checkpoint`).

``tools/convert_official_oclip.py`` and ``tools/convert_official_wecromcl.py``
are their command lines; from Python::

    from mmocr_oclip.converters import (build_model,
                                        convert_official_oclip_state_dict,
                                        load_official_checkpoint)

    state_dict = load_official_checkpoint('oclip_authors.pt')
    model = build_model('configs/pretrain/oclip_rn50_synthtext.py')
    model.load_state_dict(
        convert_official_oclip_state_dict(state_dict, model.state_dict()))

or, file to file, ``convert_official_oclip_checkpoint(SRC, DST)``.
Both importers define ``convert_official_checkpoint``,
``convert_official_state_dict`` and ``official_key_to_ours``; this package
exports them as ``convert_official_{oclip,wecromcl}_checkpoint``,
``convert_official_{oclip,wecromcl}_state_dict`` and
``official_{oclip,wecromcl}_key_to_ours`` (or import them from the module).
``import mmocr_oclip`` does not import this package.
"""
from . import official_checkpoint, official_oclip, official_wecromcl
from .official_checkpoint import (OfficialCheckpointError, build_model,
                                  conversion_argument_parser, load_official_checkpoint,
                                  map_state_dict, packaged_config, save_converted,
                                  strip_module_prefix)
from .official_oclip import CLIP_MEAN, CLIP_STD
from .official_oclip import \
    convert_official_checkpoint as convert_official_oclip_checkpoint
from .official_oclip import \
    convert_official_state_dict as convert_official_oclip_state_dict
from .official_oclip import official_key_to_ours as official_oclip_key_to_ours
from .official_oclip import official_resnet_depth
from .official_wecromcl import AUTHORS_ALPHABET, AUTHORS_DICT_FILE
from .official_wecromcl import \
    convert_official_checkpoint as convert_official_wecromcl_checkpoint
from .official_wecromcl import \
    convert_official_state_dict as convert_official_wecromcl_state_dict
from .official_wecromcl import official_key_to_ours as official_wecromcl_key_to_ours
from .official_wecromcl import token_rows

__all__ = [
    'official_checkpoint', 'official_oclip', 'official_wecromcl',
    'OfficialCheckpointError', 'build_model', 'conversion_argument_parser',
    'load_official_checkpoint', 'map_state_dict', 'packaged_config', 'save_converted',
    'strip_module_prefix', 'CLIP_MEAN', 'CLIP_STD', 'convert_official_oclip_checkpoint',
    'convert_official_wecromcl_checkpoint', 'convert_official_oclip_state_dict',
    'official_oclip_key_to_ours', 'official_resnet_depth', 'AUTHORS_ALPHABET',
    'AUTHORS_DICT_FILE', 'convert_official_wecromcl_state_dict',
    'official_wecromcl_key_to_ours', 'token_rows'
]
