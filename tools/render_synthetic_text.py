"""Render a synthetic scene-text dataset in MMOCR 1.x format.

Example:
    python tools/render_synthetic_text.py data/synth --num-images 1000 \
        --split train --seed 0 --img-size 512 512 --workers 2
"""
import argparse

from mmocr_oclip.datasets.preparers.rendering import (BACKGROUND_STYLES, SKIP_REASONS,
                                                      render_dataset)
from mmocr_oclip.datasets.pseudo_words import pseudo_words

# what to change for fewer skipped words of each reason
SKIP_HINTS = {
    'no_space': 'fewer --words-per-image or a larger --img-size',
    'too_long': 'a smaller --font-size MIN or shorter words',
    'too_big': 'a smaller --font-size or --max-rotation',
    'no_font': '--fonts-dir with a font that has them, or --dict-file',
}


def parse_args():
    parser = argparse.ArgumentParser(
        description='Render synthetic scene-text images with textspotting/'
        'textdet annotations (MMOCR 1.x json).')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num-images', type=int, default=100)
    parser.add_argument('--split', default='train')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--img-size',
                        type=int,
                        nargs='+',
                        default=[512, 512],
                        metavar='N',
                        help='H W, or HMIN HMAX WMIN WMAX for random sizes')
    vocab = parser.add_mutually_exclusive_group()
    vocab.add_argument('--words', help='word list file, one word per line')
    vocab.add_argument('--pseudo-words',
                       type=int,
                       metavar='N',
                       help='draw words from N made-up pronounceable words')
    parser.add_argument('--vocab-seed',
                        type=int,
                        default=0,
                        help='seed of the --pseudo-words vocabulary (keep it '
                        'equal across splits to share the vocabulary)')
    parser.add_argument('--dict-file',
                        help='MMOCR dictionary file, one character per line')
    parser.add_argument('--fonts-dir', help='extra folder of .ttf/.otf fonts')
    parser.add_argument('--word-length', type=int, nargs=2, metavar=('MIN', 'MAX'))
    parser.add_argument('--words-per-image', type=int, nargs=2, metavar=('MIN', 'MAX'))
    parser.add_argument('--font-size', type=int, nargs=2, metavar=('MIN', 'MAX'))
    parser.add_argument('--curved-ratio',
                        type=float,
                        help='probability of a curved word')
    parser.add_argument('--max-rotation', type=float, help='max rotation in degrees')
    parser.add_argument('--perspective',
                        type=float,
                        help='probability of a perspective tilt')
    parser.add_argument('--plate-ratio', type=float, help='probability of a sign plate')
    parser.add_argument('--blur', type=float, help='probability per image')
    parser.add_argument('--noise', type=float, help='probability per image')
    parser.add_argument('--jpeg-noise', type=float, help='probability per image')
    parser.add_argument('--backgrounds', nargs='+', choices=BACKGROUND_STYLES)
    parser.add_argument('--format', choices=['jpg', 'png'], default='jpg')
    parser.add_argument('--workers', type=int, default=0)
    args = parser.parse_args()
    if len(args.img_size) == 2:
        args.img_size = tuple(args.img_size)
    elif len(args.img_size) == 4:
        args.img_size = (tuple(args.img_size[:2]), tuple(args.img_size[2:]))
    else:
        parser.error('--img-size takes 2 or 4 integers')
    return args


# CLI options forwarded to SyntheticTextRenderer when given
RENDERER_OPTIONS = ('img_size', 'words', 'dict_file', 'fonts_dir', 'word_length',
                    'words_per_image', 'font_size', 'curved_ratio', 'max_rotation',
                    'perspective', 'plate_ratio', 'blur', 'noise', 'jpeg_noise',
                    'backgrounds')


def describe_skipped(summary):
    """One line: how many sampled words were not drawn, why, what to change."""
    reasons = []
    for reason, count in summary['skipped'].items():
        count = 'they' if len(summary['skipped']) == 1 else count
        text = f'{count} {SKIP_REASONS.get(reason, reason)}'
        if reason == 'no_space':
            text = text.replace('every tried position', f"all {summary['max_tries']} "
                                'tried positions')
        if reason in SKIP_HINTS:
            text += f' ({SKIP_HINTS[reason]})'
        reasons.append(text)
    return (f"{summary['num_skipped']} more sampled words were skipped (not drawn, "
            f"so not in the annotations): {'; '.join(reasons)}")


def main():
    args = parse_args()
    if args.pseudo_words:
        args.words = pseudo_words(args.pseudo_words, seed=args.vocab_seed)
    renderer_cfg = {
        k: getattr(args, k)
        for k in RENDERER_OPTIONS if getattr(args, k) is not None
    }
    summary = render_dataset(args.out_dir,
                             args.num_images,
                             split=args.split,
                             seed=args.seed,
                             img_format=args.format,
                             workers=args.workers,
                             **renderer_cfg)
    print(f"rendered {summary['num_images']} images with "
          f"{summary['num_words']} words in {summary['seconds']:.2f} s = "
          f"{summary['images_per_sec']:.1f} images/s")
    if summary['num_skipped']:
        print(describe_skipped(summary))
    for task, path in summary['ann_files'].items():
        print(f'{task} annotations: {path}')


if __name__ == '__main__':
    main()
