"""Anchor-point pseudo labels: one point per occurrence of each word of an image.

    python tools/wecromcl_anchor_points.py CONFIG CHECKPOINT WORDS OUT_JSON \
        [--data-root DIR] [--scale W [H]] [--batch-size N] [--device D] [--resume] \
        [--nms-kernel K] [--score-thr T] [--eval] [--heatmaps DIR] \
        [--max-heatmaps N] [--hide-image] [--cfg-options KEY=VALUE ...]

For images labelled only with the words they contain. The model (WeCromCL, or
OCLIP through its decoder: anything with ``localize_words``) queries each image
with its words; a word occurring k times gets its activation map's k highest
peaks.

WORDS, one of:
  - an MMOCR 1.x text-spotting or text-detection JSON (a ``*.json`` name) whose
    instances carry ``text``; ``polygon`` is optional (``--eval`` and the
    outlines of the pictures need it), ``ignore: true`` instances are not queried;
  - a UTF-8 listing (any other name), one image a line, the image path, a tab,
    then its words separated by spaces:
        imgs/0001.jpg<TAB>STOP here stop
``img_path`` is relative to ``--data-root`` (default: the folder of WORDS).

OUT_JSON is an MMOCR 1.x text-spotting JSON that ``OCRDataset`` loads, one
instance per point, in the original image's pixel coordinates:
    {"metainfo": {"dataset_type": "TextSpottingDataset",
                  "task_name": "textspotting",
                  "category": [{"id": 0, "name": "text"}]},
     "data_list": [{"img_path": "imgs/0001.jpg", "height": 480, "width": 640,
                    "instances": [{"text": "stop", "score": 0.41,
                                   "polygon": [212.5, 96.0],
                                   "bbox": [212.5, 96.0, 212.5, 96.0],
                                   "bbox_label": 0, "ignore": false}, ...]}]}
``polygon`` is the point (one vertex), ``bbox`` degenerate, ``text`` the word in
lower case (the model reads case-folded words: for "STOP" and "stop" it returns
two points both named "stop"). Points scoring below ``--score-thr`` are left out.

Bad input: a word with a character outside the model's dictionary is reported
(the image, the word, the character) and skipped, never queried with the
character removed; an image that cannot be read (missing, corrupt, truncated) or
that has no word to query is reported and skipped (left out of OUT_JSON); both
are counted in the summary. A malformed WORDS file stops the tool with the file,
the line (or ``data_list[i]``) and the reason.

Images are resized (keeping their aspect ratio) to fit ``--scale`` (default:
the config's test pipeline, or its test ``Resize``). Batches of
``--batch-size`` images (default 1 on a CPU, 4 on a GPU); a progress bar shows
images/s and the time left.
Each batch is saved to ``OUT_JSON.partial`` as soon as it is labelled: after a
crash or Ctrl-C, the same command with ``--resume`` continues at the next
batch and writes the same OUT_JSON as an uninterrupted run.

``--eval`` (WORDS with polygons only) prints :class:`AnchorPointMetric` against
them; ``tools/analysis_tools/eval_anchor_points.py`` scores any OUT_JSON
against a polygon JSON later. ``--heatmaps DIR`` draws each word's activation
map over the network input with its peaks, one picture per image (the first
``--max-heatmaps``); ``--hide-image`` draws them over a grey canvas holding only
the outlines and words (polygons needed) instead of the image.
"""
import argparse
import os
import os.path as osp
import sys
import time

import cv2
import torch
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

import mmocr_oclip  # noqa: F401  (registers modules)
from mmocr_oclip.apis import (AnchorPointLabeler, PartialResults, anchor_point_metrics,
                              first_without_polygon, load_word_annotations)
from mmocr_oclip.apis.anchor_point_results import ground_truth
from mmocr_oclip.visualization import heatmap_picture

# the exit status of an interrupted run (as a shell's for SIGINT)
INTERRUPTED = 130


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        epilog=__doc__.split('\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='WeCromCL or OCLIP config file')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('ann_file',
                        metavar='words',
                        help='the words of each image: MMOCR JSON (*.json) or a '
                        'listing (IMAGE_PATH<TAB>WORD WORD ...)')
    parser.add_argument('out_file', help='output text-spotting JSON of the points')
    parser.add_argument('--data-root',
                        help='folder img_path is relative to (default: the '
                        'folder of the words file)')
    parser.add_argument('--scale',
                        type=int,
                        nargs='+',
                        help='resize (keep ratio) to fit W H (one value: square); '
                        'default: the config\'s')
    parser.add_argument('--batch-size',
                        type=int,
                        help='images per forward pass (default: 1 on a CPU, where '
                        'it is the fastest, 4 on a GPU)')
    parser.add_argument('--device',
                        help='where the model runs (default: cuda if available, '
                        'else cpu)')
    parser.add_argument('--resume',
                        action='store_true',
                        help='continue the interrupted run of out_file')
    parser.add_argument('--nms-kernel', type=int, default=5, help='odd NMS window')
    parser.add_argument('--score-thr',
                        type=float,
                        default=0.,
                        help='drop points scoring lower (also the metric threshold)')
    parser.add_argument('--eval',
                        action='store_true',
                        help='print AnchorPointMetric against the words\' polygons')
    parser.add_argument('--heatmaps', help='folder of activation-map pictures')
    parser.add_argument('--max-heatmaps', type=int, default=20)
    parser.add_argument('--hide-image',
                        action='store_true',
                        help='draw the maps over a grey canvas holding only the '
                        'outlines and words instead of the image')
    parser.add_argument('--cfg-options',
                        nargs='+',
                        action=DictAction,
                        help='override config settings (key=value)')
    args = parser.parse_args(argv)
    if args.scale is not None and len(args.scale) not in (1, 2):
        parser.error('--scale takes W [H]')
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if args.batch_size is None:
        args.batch_size = 1 if args.device == 'cpu' else 4
    if args.batch_size < 1:
        parser.error('--batch-size must be >= 1')
    if args.nms_kernel < 1 or args.nms_kernel % 2 != 1:
        parser.error('--nms-kernel must be an odd number >= 1')
    if args.hide_image and not args.heatmaps:
        parser.error('--hide-image needs --heatmaps (it changes the pictures)')
    return args


def run_settings(args, scale, num_images):
    """What a resumed run must share with the interrupted one."""
    return dict(config=osp.abspath(args.config),
                checkpoint=osp.abspath(args.checkpoint),
                words=osp.abspath(args.ann_file),
                num_images=num_images,
                data_root=osp.abspath(args.data_root),
                scale=list(scale) if scale else None,
                batch_size=args.batch_size,
                nms_kernel=args.nms_kernel,
                cfg_options=args.cfg_options or None)


def report(result, source):
    """Print an entry's notes and skip reason (stderr)."""
    for note in result['notes']:
        print(f'\n{source}: {note}', file=sys.stderr)
    if 'skipped' in result:
        print(f'\n{source}: image skipped: {result["skipped"]}', file=sys.stderr)


def draw(args, index, entry, result, with_polygons):
    """Write the heatmap picture of a labelled entry; its path, or None."""
    sample = result['sample']
    if not sample.word_texts:  # no word queried: no picture
        return None
    name = f'{index:05d}_' + osp.splitext(osp.basename(entry['img_path']))[0] + '.png'
    path = osp.join(args.heatmaps, name)
    picture = heatmap_picture(result['packed'],
                              sample,
                              result['stride'],
                              ground_truth(entry) if with_polygons else None,
                              hide_image=args.hide_image)
    cv2.imwrite(path, picture[..., ::-1])
    return path


def summary(results, elapsed, labelled_now):
    """The closing lines: skips by kind and the speed of this run."""
    bad = sum(r.get('unreadable', False) for r in results)
    wordless = sum('skipped' in r and not r['unreadable'] for r in results)
    words = sum(r['skipped_words'] for r in results)
    lines = []
    if bad or wordless or words:
        lines.append(f'skipped: {bad} unreadable image(s), {wordless} image(s) without '
                     f'a word to query, {words} word(s) outside the model\'s '
                     'dictionary (each named above)')
    if labelled_now:
        lines.append(f'{labelled_now} images in {elapsed:.1f} s: '
                     f'{labelled_now / elapsed:.2f} images/s')
    return lines


def main(argv=None):
    args = parse_args(argv)
    for path in (args.config, args.checkpoint, args.ann_file):
        if not osp.isfile(path):
            sys.exit(f'error: file not found: {path}')
    scale = (args.scale[0], args.scale[-1]) if args.scale else None
    args.data_root = args.data_root or osp.dirname(osp.abspath(args.ann_file))
    try:
        entries = load_word_annotations(args.ann_file)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
    missing = first_without_polygon(entries)
    for flag, wanted in (('--eval', args.eval), ('--hide-image', args.hide_image)):
        if wanted and missing:
            sys.exit(f'error: {flag} needs the words\' polygons, and {missing} has '
                     'none (to score points later: tools/analysis_tools/'
                     'eval_anchor_points.py OUT_JSON POLYGON_JSON)')
    try:
        labeler = AnchorPointLabeler.from_config(args.config,
                                                 args.checkpoint,
                                                 scale,
                                                 args.nms_kernel,
                                                 args.cfg_options,
                                                 device=args.device)
        partial = PartialResults(args.out_file, run_settings(args, scale, len(entries)),
                                 args.resume)
    except (ValueError, KeyError, RuntimeError) as e:
        sys.exit(f'error: {e}')
    start = len(partial.results)
    if args.resume and start:
        cut = ''
        if partial.dropped_line:
            cut = ' (its last batch was cut: labelled again)'
        print(f'resuming {partial.path}: {start} of {len(entries)} images done{cut}')
    if args.heatmaps:
        os.makedirs(args.heatmaps, exist_ok=True)
    drawn, tic = [], time.perf_counter()
    progress = ProgressBar(len(entries) - start) if start < len(entries) else None
    try:
        for first in range(start, len(entries), args.batch_size):
            batch = entries[first:first + args.batch_size]
            want_maps = bool(args.heatmaps) and len(drawn) < args.max_heatmaps
            results = labeler.label(batch, args.data_root, return_maps=want_maps)
            for index, (entry, result) in enumerate(zip(batch, results), first):
                report(result, entry['source'])
                if want_maps and 'sample' in result and len(drawn) < args.max_heatmaps:
                    path = draw(args, index, entry, result, not missing)
                    drawn += [path] if path else []
            partial.append(results)
            progress.update(len(batch))
    except KeyboardInterrupt:
        print(
            f'\ninterrupted: {len(partial.results)} of {len(entries)} images '
            f'labelled, kept in {partial.path}; to continue, run the same command '
            'with --resume',
            file=sys.stderr)
        sys.exit(INTERRUPTED)
    elapsed = time.perf_counter() - tic
    unreadable = [r['skipped'] for r in partial.results if r.get('unreadable', False)]
    if len(unreadable) == len(entries):
        os.remove(partial.path)
        sys.exit(f'error: none of the {len(entries)} images could be read (the first: '
                 f'{unreadable[0]}); is --data-root right?')
    dataset = partial.finish(args.score_thr)
    num_points = sum(len(d['instances']) for d in dataset['data_list'])
    print(f'\n{num_points} anchor points in {len(dataset["data_list"])} images: '
          f'{args.out_file}')
    for line in summary(partial.results, elapsed, len(entries) - start):
        print(line)
    if drawn:
        print(f'{len(drawn)} heatmap pictures in {args.heatmaps}')
    if args.eval:
        predictions = [None if 'skipped' in r else r for r in partial.results]
        metrics = anchor_point_metrics(predictions, entries, args.score_thr)
        print(' '.join(f'{k}: {v:.4f}' for k, v in metrics.items()))


if __name__ == '__main__':
    main()
