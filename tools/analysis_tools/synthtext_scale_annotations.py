"""Write a SynthText-sized MMOCR text-spotting annotation file (no images).

``python tools/analysis_tools/synthtext_scale_annotations.py OUT_JSON
[--num-images 858750] [--words-per-image-mean 8.2] [--seed 0] [--with-geometry]``
streams ``--num-images`` entries to OUT_JSON in the layout of
``tools/dataset_converters/synthtext.py`` (image paths like ``imgs/8/ballet_106_0.jpg``,
words of pseudo-word, number and punctuated tokens, optional 4-corner polygon and
box per word), for measuring the indexing and loading of SynthText-scale
annotations (``benchmark_dataset_index.py``) without the 41 GB of images.
"""
import argparse
import os
import time

import numpy as np

from mmocr_oclip.datasets import pseudo_words
from mmocr_oclip.datasets.preparers.converters import dump_ocr_json

# SynthText: 858,750 images in 200 directories, rendered on ~8,000 backgrounds
SYNTHTEXT_DIRS = 200
RENDERS_PER_BACKGROUND = 5
VOCABULARY_SIZE = 20000
BLOCK = 4096


def build_vocabulary(rng, seed):
    """Tokens of a Zipf-like vocabulary and their probabilities.

    About 88% of the tokens are pseudo-words of 1-2 syllables (mixed case, 2-13
    characters), 8% numbers and 4% words with punctuation attached, as in
    SynthText's newsgroup text.

    Args:
        rng (np.random.Generator): the generator.
        seed (int): seed of the pseudo-word list.

    Returns:
        tuple[list[str], np.ndarray]: tokens and their (V, ) probabilities.
    """
    words = pseudo_words(VOCABULARY_SIZE, seed=seed, syllables=(1, 2))
    numbers = [str(n) for n in rng.integers(0, 100000, size=VOCABULARY_SIZE // 10)]
    punct = [
        w + p
        for w, p in zip(words[:VOCABULARY_SIZE //
                              20], rng.choice(list('.,:;!?)\'"-'), VOCABULARY_SIZE))
    ]
    tokens = words + numbers + punct
    rank = rng.permutation(len(tokens)) + 1.0
    weight = 1.0 / rank
    # the class shares above, whatever the Zipf ranks drew
    for share, start, stop in ((0.88, 0, len(words)), (0.08, len(words),
                                                       len(words) + len(numbers)),
                               (0.04, len(words) + len(numbers), len(tokens))):
        weight[start:stop] *= share / weight[start:stop].sum()
    return tokens, weight / weight.sum()


def quadrilaterals(rng, lengths):
    """Rotated word boxes as SynthText's ``wordBB`` gives them (float32 corners).

    Args:
        rng (np.random.Generator): the generator.
        lengths (np.ndarray): (N, ) characters per word.

    Returns:
        tuple[np.ndarray, np.ndarray]: (N, 8) polygons (x1, y1, ..., x4, y4,
        float64 of float32 values) and (N, 4) boxes (x_min, y_min, x_max, y_max).
    """
    num = len(lengths)
    height = rng.uniform(12, 60, num).astype(np.float32)
    width = height * 0.55 * lengths
    angle = rng.normal(0, 0.15, num)
    cx, cy = rng.uniform(40, 560, num), rng.uniform(30, 420, num)
    dx = np.stack([-width, width, width, -width], 1) / 2
    dy = np.stack([-height, -height, height, height], 1) / 2
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    xs = (cx[:, None] + dx * cos - dy * sin).astype(np.float32).astype(np.float64)
    ys = (cy[:, None] + dx * sin + dy * cos).astype(np.float32).astype(np.float64)
    polygons = np.stack([xs, ys], 2).reshape(num, 8)
    boxes = np.stack([xs.min(1), ys.min(1), xs.max(1), ys.max(1)], 1)
    return polygons, boxes


def iter_entries(num_images,
                 words_mean,
                 seed=0,
                 with_geometry=False,
                 img_prefix='imgs'):
    """SynthText-like data list entries, generated block by block.

    Words per image: 1 + a negative binomial (n = 2) of mean ``words_mean - 1``
    (over-dispersed like SynthText's: a few images have more than 32 words).

    Args:
        num_images (int): entries to yield.
        words_mean (float): mean words per image (>= 1).
        seed (int): random seed. Defaults to 0.
        with_geometry (bool): add ``polygon`` and ``bbox`` to every word.
        img_prefix (str): prefix of ``img_path``. Defaults to ``'imgs'``.

    Yields:
        dict: ``img_path`` and ``instances`` (``text``, ``ignore``,
        ``bbox_label`` and, with geometry, ``polygon`` and ``bbox``).
    """
    rng = np.random.default_rng(seed)
    tokens, probs = build_vocabulary(rng, seed)
    lengths_of = np.array([len(t) for t in tokens])
    backgrounds = pseudo_words(8000, seed=seed + 1, case_mix=False)
    per_dir = -(-num_images // SYNTHTEXT_DIRS)
    extra = words_mean - 1
    for start in range(0, num_images, BLOCK):
        stop = min(start + BLOCK, num_images)
        counts = 1 + (rng.negative_binomial(2, 2 / (2 + extra), stop - start)
                      if extra > 0 else np.zeros(stop - start, dtype=int))
        ids = rng.choice(len(tokens), size=counts.sum(), p=probs)
        if with_geometry:
            polygons, boxes = quadrilaterals(rng, lengths_of[ids])
            polygons, boxes = polygons.tolist(), boxes.tolist()
        offset = 0
        for i, count in zip(range(start, stop), counts.tolist()):
            render = i // RENDERS_PER_BACKGROUND
            name = (f'{i // per_dir + 1}/{backgrounds[render % len(backgrounds)]}_'
                    f'{render // len(backgrounds) + 1}_'
                    f'{i % RENDERS_PER_BACKGROUND}.jpg')
            instances = []
            for k in range(offset, offset + count):
                instance = dict(text=tokens[ids[k]], ignore=False, bbox_label=0)
                if with_geometry:
                    instance.update(polygon=polygons[k], bbox=boxes[k])
                instances.append(instance)
            offset += count
            yield dict(img_path=f'{img_prefix}/{name}', instances=instances)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_json', help='output annotation file')
    parser.add_argument('--num-images', type=int, default=858750)
    parser.add_argument('--words-per-image-mean',
                        type=float,
                        default=8.2,
                        help='mean words per image (8.2: about 7 million words for '
                        'the 858,750 images)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--with-geometry',
                        action='store_true',
                        help='a polygon (8 numbers) and a bbox per word, as the '
                        'SynthText converter writes them')
    parser.add_argument('--img-prefix', default='imgs')
    args = parser.parse_args(argv)
    if args.num_images < 1:
        parser.error('--num-images must be >= 1')
    if args.words_per_image_mean < 1:
        parser.error('--words-per-image-mean must be >= 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    counts = dump_ocr_json(
        args.out_json,
        iter_entries(args.num_images, args.words_per_image_mean, args.seed,
                     args.with_geometry, args.img_prefix))
    seconds = time.perf_counter() - start
    size = os.path.getsize(args.out_json)
    print(f'{args.out_json}: {counts["images"]} images, {counts["instances"]} words, '
          f'{size / 2**20:.1f} MiB, written in {seconds:.1f} s')


if __name__ == '__main__':
    main()
