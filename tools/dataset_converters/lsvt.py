"""Convert ICDAR2019-LSVT weak labels to MMOCR 1.x text-spotting JSON.

``python tools/dataset_converters/lsvt.py data/lsvt/train_weak_labels.json
data/lsvt/textspotting_train_weak.json`` writes ``train_weak_images/<key>.jpg``
with its transcriptions (whitespace removed, words shorter than 2 dropped).
"""
import argparse
import sys

from mmocr_oclip.datasets.preparers.converters import convert_lsvt_weak


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('weak_json', help="LSVT's train_weak_labels.json")
    parser.add_argument('out_json', help='output annotation file')
    parser.add_argument('--img-prefix',
                        default='train_weak_images',
                        help='directory of the images in img_path')
    parser.add_argument('--min-len',
                        type=int,
                        default=2,
                        help='shortest word kept (characters)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        stats = convert_lsvt_weak(args.weak_json,
                                  args.out_json,
                                  img_prefix=args.img_prefix,
                                  min_len=args.min_len)
    except (OSError, ValueError) as e:
        sys.exit(f'error: {e}')
    print(f'{args.out_json}: ' + ', '.join(f'{k}={v}' for k, v in stats.items()))


if __name__ == '__main__':
    main()
