"""Convert an oCLIP checkpoint released by the authors into an OCLIP checkpoint.

    python tools/convert_official_oclip.py IN OUT [--config CONFIG] \
        [--dict-file DICT] [--cfg-options KEY=VALUE ...]

Writes the whole model (backbone, pooling neck, text encoder, decoder,
logit_scale), so that pre-training can continue, attention maps can be drawn and
detectors fine-tuned from ``backbone.*``. The default config is
configs/pretrain/oclip_rn101_synthtext.py for a ResNet-101 checkpoint (23 blocks
in layer3), else configs/pretrain/oclip_rn50_synthtext.py; the LSVT (Chinese)
model needs ``--config configs/pretrain/oclip_rn50_lsvt.py --dict-file DICT``
with its dictionary.
"""
import sys

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.converters import (CLIP_MEAN, CLIP_STD, OfficialCheckpointError,
                                    conversion_argument_parser,
                                    convert_official_oclip_checkpoint)


def parse_args(argv=None):
    parser = conversion_argument_parser(
        __doc__.splitlines()[0], 'OCLIP', 'OCLIP config of the model (default: by '
        'the depth of the checkpoint, oclip_rn50/rn101_synthtext.py)')
    parser.add_argument('--dict-file',
                        help="dictionary of the checkpoint's vocabulary "
                        '(sets model.tokenizer.dict_file)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        config = convert_official_oclip_checkpoint(args.src, args.dst, args.config,
                                                   args.dict_file, args.cfg_options)
    except (FileNotFoundError, OfficialCheckpointError) as e:
        sys.exit(f'error: {e}')
    print(f'{args.dst}: OCLIP checkpoint of {config}')
    mean = ','.join(f'{v:.3f}' for v in CLIP_MEAN)
    std = ','.join(f'{v:.3f}' for v in CLIP_STD)
    print("note: the authors pre-trained with CLIP's normalisation, which these "
          f'weights expect: RGB mean [{mean}], std [{std}] (0-255), not the '
          'ImageNet mean/std of our configs. To continue pre-training or fine-tune, '
          'set model.data_preprocessor accordingly, e.g. --cfg-options '
          f'"model.data_preprocessor.mean=[{mean}]" '
          f'"model.data_preprocessor.std=[{std}]"')


if __name__ == '__main__':
    main()
