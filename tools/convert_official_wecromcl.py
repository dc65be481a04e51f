"""Convert an authors' WeCromCL stage-1 checkpoint into a WeCromCL checkpoint.

    python tools/convert_official_wecromcl.py IN OUT [--config CONFIG] \
        [--cfg-options KEY=VALUE ...]

IN is the authors' checkpoint (Wu et al., ECCV 2024; their GitHub repository
ZhengyaoFang/WeCromCL): a DataParallel state_dict (keys ``module.*``), raw or
under ``state_dict``. OUT holds the whole model (backbone, BiFPN, concat neck,
deformable encoder, text encoder, head, logit_scale) under our keys, which
the config's model loads with ``strict=True``; its ``backbone.*`` keys are
mmdet ResNet-50's, so MMOCR's stock ResNet-50 detectors load them with
``init_cfg=dict(type='Pretrained', checkpoint=OUT, prefix='backbone.')``.

The default config, configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py,
computes the authors' function (their 69-character alphabet
``wecromcl_69.txt``, 25 positions without end token, mean over all of them).
The token embedding's rows are re-ordered into the config dictionary's id
order (identical for ``wecromcl_69.txt``; a subset of their alphabet works
too). The authors' unused ``backbone.fc`` is dropped.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import DictAction

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.converters import (OfficialCheckpointError, build_model,
                                    convert_official_wecromcl_state_dict,
                                    load_official_checkpoint, save_converted)
from mmocr_oclip.models.utils.dictionary_check import DICTIONARY_KEY
from mmocr_oclip.models.utils.model_type_check import MODEL_TYPE_KEY

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(REPO, 'configs', 'pretrain',
                          'wecromcl_r50_1xb16-200k_synthtext.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help="the authors' checkpoint")
    parser.add_argument('dst', help='WeCromCL checkpoint to write')
    parser.add_argument('--config',
                        default=DEFAULT_CONFIG,
                        help='WeCromCL config of the model (default: '
                        'configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py)')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def convert(src, dst, config=DEFAULT_CONFIG, cfg_options=None):
    """Convert ``src`` into ``dst``.

    Returns:
        dict: the checkpoint's ``meta``: ``converted_from``, ``config``,
        ``model_type`` (``'WeCromCL'``, also recorded in the state dict's
        metadata as by our training runs), ``dict_file`` and ``dictionary``
        (the characters of the token ids 1..N, also the state dict's
        ``dictionary_codes``).
    """
    state_dict = load_official_checkpoint(src)
    model = build_model(config, cfg_options=cfg_options)
    if type(model).__name__ != 'WeCromCL':
        raise OfficialCheckpointError(f'{config} builds a {type(model).__name__}, '
                                      'not a WeCromCL model')
    new_state_dict = convert_official_wecromcl_state_dict(state_dict,
                                                          model.state_dict())
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


def main(argv=None):
    args = parse_args(argv)
    try:
        meta = convert(args.src, args.dst, args.config, args.cfg_options)
    except (FileNotFoundError, OfficialCheckpointError) as e:
        sys.exit(f'error: {e}')
    print(f'{args.dst}: WeCromCL checkpoint of {meta["config"]}')
    print(f'config to use: {meta["config"]}')
    print(f'dictionary to use: {meta["dict_file"]} ({len(meta["dictionary"])} '
          f'characters {meta["dictionary"]!r}; recorded in the checkpoint as '
          f'{DICTIONARY_KEY})')
    print('anchor points: python tools/wecromcl_anchor_points.py '
          f'{meta["config"]} {args.dst} ANN_JSON OUT_JSON')


if __name__ == '__main__':
    main()
