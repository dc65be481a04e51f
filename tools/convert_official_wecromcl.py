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
import sys

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.converters import (OfficialCheckpointError, conversion_argument_parser,
                                    convert_official_wecromcl_checkpoint)
from mmocr_oclip.models.utils.dictionary_check import DICTIONARY_KEY


def parse_args(argv=None):
    return conversion_argument_parser(
        __doc__.splitlines()[0], 'WeCromCL', 'WeCromCL config of the model '
        '(default: configs/pretrain/wecromcl_r50_1xb16-200k_synthtext.py)').parse_args(
            argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        meta = convert_official_wecromcl_checkpoint(args.src, args.dst, args.config,
                                                    args.cfg_options)
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
