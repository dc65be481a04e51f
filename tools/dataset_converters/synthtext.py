"""Convert SynthText's ``gt.mat`` to MMOCR 1.x text-spotting JSON.

``python tools/dataset_converters/synthtext.py data/synthtext/gt.mat
data/synthtext/textspotting_train.json --no-geometry`` writes one entry per image
(``img_path`` = ``imgs/<imname>``) with its words; images are never opened.
"""
import argparse
import sys

from mmocr_oclip.datasets.preparers.converters import convert_synthtext


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('gt_mat', help="SynthText's gt.mat")
    parser.add_argument('out_json', help='output annotation file')
    parser.add_argument('--img-prefix',
                        default='imgs',
                        help='directory of the images in img_path')
    parser.add_argument(
        '--no-geometry',
        action='store_true',
        help='write only the words (no polygon/bbox): what pre-training needs')
    parser.add_argument('--limit', type=int, help='convert the first N images only')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        counts = convert_synthtext(args.gt_mat,
                                   args.out_json,
                                   img_prefix=args.img_prefix,
                                   with_geometry=not args.no_geometry,
                                   limit=args.limit)
    except (OSError, ValueError) as e:
        sys.exit(f'error: {e}')
    print(f'{args.out_json}: {counts["images"]} images, {counts["instances"]} words')


if __name__ == '__main__':
    main()
