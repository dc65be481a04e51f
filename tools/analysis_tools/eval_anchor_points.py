"""Score anchor points against the words' polygons (AnchorPointMetric).

    python tools/analysis_tools/eval_anchor_points.py POINTS_JSON POLYGON_JSON \
        [--score-thr T]

POINTS_JSON: the output of ``tools/wecromcl_anchor_points.py`` (or any MMOCR
text-spotting JSON whose instances are one-vertex ``polygon`` points with
``text`` and ``score``). POLYGON_JSON: an MMOCR JSON of the same images
(``img_path`` as in POINTS_JSON) whose instances carry ``text`` and ``polygon``.
An image of POLYGON_JSON without points counts as predicting nothing; images
of POINTS_JSON that POLYGON_JSON lacks are left out; both are counted.
"""
import argparse
import sys

from mmocr_oclip.apis import (anchor_point_metrics, first_without_polygon,
                              load_word_annotations)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('points', help='anchor points, MMOCR text-spotting JSON')
    parser.add_argument('ground_truth', help='the words\' polygons, MMOCR JSON')
    parser.add_argument('--score-thr',
                        type=float,
                        default=0.,
                        help='the metric\'s fixed threshold')
    return parser.parse_args(argv)


def point_predictions(entries):
    """``img_path`` -> ``dict(points, scores, texts)`` of a points file."""
    predictions = {}
    for entry in entries:
        instances = entry['instances']
        for i, inst in enumerate(instances):
            if len(inst.get('polygon', ())) != 2 or 'score' not in inst:
                raise ValueError(f'{entry["source"]}: instances[{i}] is not a point '
                                 '(a two-number "polygon" and a "score")')
        predictions[entry['img_path']] = dict(
            points=[inst['polygon'] for inst in instances],
            scores=[inst['score'] for inst in instances],
            texts=[inst['text'] for inst in instances])
    return predictions


def main(argv=None):
    args = parse_args(argv)
    try:
        predictions = point_predictions(load_word_annotations(args.points))
        truth = load_word_annotations(args.ground_truth)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f'error: {e}')
    missing = first_without_polygon(truth)
    if missing:
        sys.exit(f'error: {args.ground_truth} must give every word\'s polygon; '
                 f'{missing} has none')
    known = {entry['img_path'] for entry in truth}
    without = sum(entry['img_path'] not in predictions for entry in truth)
    extra = sum(path not in known for path in predictions)
    if without:
        print(f'{without} of {len(truth)} images have no points (scored as '
              'predicting nothing)')
    if extra:
        print(f'{extra} images of {args.points} are not in {args.ground_truth}: '
              'left out')
    metrics = anchor_point_metrics([predictions.get(e['img_path']) for e in truth],
                                   truth, args.score_thr)
    print(' '.join(f'{k}: {v:.4f}' for k, v in metrics.items()))
    return metrics


if __name__ == '__main__':
    main()
