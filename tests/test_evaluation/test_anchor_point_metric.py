import numpy as np
import pytest
import torch
from mmocr.registry import METRICS
from shapely.geometry import Point, Polygon

from mmocr_oclip.evaluation.metrics.anchor_point_metric import polygon_center


def box(x0, y0, x1, y1):
    return np.array([x0, y0, x1, y0, x1, y1, x0, y1], np.float32)


def sample(points, texts, scores=None, gt=(), ignored=None):
    """A data sample in ``to_dict()`` form; ``gt`` holds (polygon, text)."""
    gt_instances = dict(polygons=[p for p, _ in gt], texts=[t for _, t in gt])
    if ignored is not None:
        gt_instances['ignored'] = torch.tensor(ignored, dtype=torch.bool)
    points = torch.tensor(points, dtype=torch.float32).reshape(-1, 2)
    if scores is None:
        scores = [1.] * len(texts)
    return dict(pred_instances=dict(points=points,
                                    scores=torch.tensor(scores),
                                    texts=list(texts)),
                gt_instances=gt_instances)


def evaluate(*samples, **kwargs):
    metric = METRICS.build(dict(type='AnchorPointMetric', **kwargs))
    metric.process(None, list(samples))
    return metric.evaluate(len(samples))


CAT = (box(0, 0, 20, 10), 'cat')  # centre (10, 5)
DOG = (box(30, 0, 50, 10), 'dog')  # centre (40, 5)


def test_keys_and_prefix():
    keys = set(evaluate(sample([[10, 5]], ['cat'], gt=[CAT])))
    names = ('precision', 'recall', 'hmean', 'best_precision', 'best_recall',
             'best_hmean', 'best_thr', 'inside_precision', 'inside_recall',
             'inside_hmean', 'own_word_rate', 'own_word_count')
    assert keys == {f'anchor/{n}' for n in names}
    metric = METRICS.build(dict(type='AnchorPointMetric', prefix='stage1'))
    metric.process(None, [sample([], [], gt=[CAT])])
    assert 'stage1/hmean' in metric.evaluate(1)


def test_nearest_ground_truth_decides():
    # 'cat' at x=28 is nearer to dog's centre (12) than to cat's (18): FP
    res = evaluate(sample([[28, 5], [40, 5]], ['cat', 'dog'], gt=[CAT, DOG]))
    assert res['anchor/precision'] == 0.5
    assert res['anchor/recall'] == 0.5
    assert res['anchor/hmean'] == 0.5


def test_case_insensitive():
    res = evaluate(sample([[10, 5]], ['cAT'], gt=[(box(0, 0, 20, 10), 'Cat')]))
    assert res['anchor/hmean'] == 1.0
    assert res['anchor/inside_hmean'] == 1.0


def test_duplicate_predictions_of_one_word():
    # both nearest to cat: the higher score (outside the box) takes it
    res = evaluate(
        sample([[5, 5], [10, -3]], ['cat', 'cat'], scores=[0.5, 0.9], gt=[CAT]))
    assert res['anchor/precision'] == 0.5
    assert res['anchor/recall'] == 1.0
    assert res['anchor/hmean'] == pytest.approx(2 / 3)
    # inside: the 0.9 point is outside the box (FP), the 0.5 one inside (TP)
    assert res['anchor/inside_precision'] == 0.5
    assert res['anchor/inside_recall'] == 1.0


def test_word_occurring_twice():
    cat2 = (box(60, 0, 80, 10), 'cat')
    res = evaluate(sample([[12, 5], [70, 6]], ['cat', 'cat'], gt=[CAT, cat2]))
    assert res['anchor/precision'] == res['anchor/recall'] == 1.0
    assert res['anchor/inside_hmean'] == 1.0
    # both points nearest to the same occurrence: one TP, one FP (no
    # re-assignment to the other occurrence in the authors' protocol)
    res = evaluate(sample([[10, 5], [11, 5]], ['cat', 'cat'], gt=[CAT, cat2]))
    assert res['anchor/precision'] == 0.5 and res['anchor/recall'] == 0.5


def test_inside_takes_the_unmatched_containing_polygon():
    # two overlapping 'cat' boxes; both points in the overlap, nearer to the
    # first box's centre: nearest -> 1 TP + 1 FP, inside -> 2 TP
    first, second = (box(0, 0, 20, 10), 'cat'), (box(8, 0, 40, 10), 'cat')
    res = evaluate(sample([[10, 5], [12, 5]], ['cat', 'cat'], gt=[first, second]))
    assert res['anchor/precision'] == 0.5
    assert res['anchor/inside_precision'] == 1.0
    assert res['anchor/inside_recall'] == 1.0


def test_outside_polygon_but_nearest():
    res = evaluate(sample([[25, 5]], ['cat'], gt=[CAT]))
    assert res['anchor/hmean'] == 1.0
    assert res['anchor/inside_precision'] == 0.0
    assert res['anchor/inside_recall'] == 0.0
    assert res['anchor/inside_hmean'] == 0.0
    # a point on the boundary is inside
    res = evaluate(sample([[20, 5]], ['cat'], gt=[CAT]))
    assert res['anchor/inside_hmean'] == 1.0


def test_wrong_text_inside_polygon_is_false_positive():
    res = evaluate(sample([[10, 5], [40, 5]], ['cat', 'cow'], gt=[CAT, DOG]))
    assert res['anchor/precision'] == res['anchor/inside_precision'] == 0.5
    assert res['anchor/recall'] == res['anchor/inside_recall'] == 0.5


def test_threshold_sweep_picks_best():
    gt = [CAT, DOG, (box(60, 0, 80, 10), 'emu')]
    # cat TP @0.05, wrong word near dog FP @0.04, emu TP @0.02, FP @0.005
    preds = sample([[10, 5], [40, 5], [70, 5], [41, 5]], ['cat', 'cow', 'emu', 'owl'],
                   scores=[0.05, 0.04, 0.02, 0.005],
                   gt=gt)
    res = evaluate(preds)
    # fixed threshold 0: 2 TP of 4 predictions, 3 words
    assert res['anchor/precision'] == 0.5
    assert res['anchor/recall'] == pytest.approx(2 / 3)
    assert res['anchor/hmean'] == pytest.approx(4 / 7)
    # threshold 0.01 gives 2/3 (the float32 score 0.02 lies just below 0.02)
    assert res['anchor/best_hmean'] == pytest.approx(2 / 3)
    assert res['anchor/best_thr'] == 0.01
    assert res['anchor/best_precision'] == pytest.approx(2 / 3)
    res = evaluate(preds, score_thr=0.03, thr_sweep=[0.05])
    assert res['anchor/precision'] == 0.5
    assert res['anchor/recall'] == pytest.approx(1 / 3)
    assert res['anchor/best_thr'] == 0.05
    assert res['anchor/best_precision'] == 1.0


def test_ties_on_hmean_report_the_highest_threshold():
    # every prediction scores 0.9: all thresholds give the same P/R/H
    preds = sample([[10, 5], [40, 5]], ['cat', 'owl'], scores=[0.9, 0.9], gt=[CAT, DOG])
    res = evaluate(preds)
    assert res['anchor/best_hmean'] == 0.5
    assert res['anchor/best_thr'] == 0.05
    # the sweep's order does not matter; a strictly better H still wins
    assert evaluate(preds, thr_sweep=[0.3, 0.95, 0.1])['anchor/best_thr'] == 0.3
    preds = sample([[10, 5], [40, 5]], ['cat', 'owl'], scores=[0.9, 0.2], gt=[CAT])
    res = evaluate(preds, thr_sweep=[0.5, 0.1, 0.3, 0.95])
    # 0.3 and 0.5 tie on H = 1 (the FP at 0.2 dropped): 0.5 is reported
    assert (res['anchor/best_hmean'], res['anchor/best_thr']) == (1.0, 0.5)


def test_no_ground_truth_scores_zero_at_every_threshold():
    res = evaluate(sample([[10, 5]], ['cat'], gt=[]), sample([], [], gt=[]))
    assert (res['anchor/best_precision'], res['anchor/best_recall'],
            res['anchor/best_hmean']) == (0.0, 0.0, 0.0)
    assert res['anchor/best_thr'] == 0.05


def test_threshold_keeps_the_matching_of_higher_scores():
    # the 0.9 duplicate wins at every threshold; dropping the 0.2 one only
    # removes a FP
    preds = sample([[10, 5], [11, 5]], ['cat', 'cat'], scores=[0.2, 0.9], gt=[CAT])
    assert evaluate(preds)['anchor/precision'] == 0.5
    assert evaluate(preds, score_thr=0.5)['anchor/precision'] == 1.0


def test_ignored_ground_truth():
    gt = [CAT, (box(100, 0, 130, 10), '###'), (box(200, 0, 230, 10), 'skip')]
    preds = sample([[10, 5], [115, 5], [215, 5], [300, 5]],
                   ['cat', 'foo', 'skip', 'cat'],
                   gt=gt,
                   ignored=[False, False, True])
    res = evaluate(preds)
    # nearest: cat TP; foo and skip are absorbed by ignored words; the last
    # cat is nearest to 'skip' (ignored) too -> 1 TP of 1 counted prediction
    assert res['anchor/precision'] == 1.0
    assert res['anchor/recall'] == 1.0
    # inside: the x=300 point lies in no polygon -> FP
    assert res['anchor/inside_precision'] == 0.5
    assert res['anchor/inside_recall'] == 1.0


# the authors' zero-denominator convention: P = 0 without predictions, R = 0
# without ground truth (MMOCR's compute_hmean gives 1 for both)
@pytest.mark.parametrize('preds, gt, expected', [
    ([], [CAT], (0.0, 0.0, 0.0)),
    ([([10, 5], 'cat')], [], (0.0, 0.0, 0.0)),
    ([], [], (0.0, 0.0, 0.0)),
])
def test_empty(preds, gt, expected):
    res = evaluate(sample([p for p, _ in preds], [t for _, t in preds], gt=gt))
    got = (res['anchor/precision'], res['anchor/recall'], res['anchor/hmean'])
    assert got == expected
    assert (res['anchor/inside_precision'], res['anchor/inside_recall'],
            res['anchor/inside_hmean']) == expected


def test_counts_add_up_over_images():
    res = evaluate(sample([[10, 5]], ['cat'], gt=[CAT]),
                   sample([[10, 5], [40, 5]], ['cat', 'dog'], gt=[]),
                   sample([], [], gt=[CAT, DOG]))
    # 1 TP of 3 predictions, 3 words
    assert res['anchor/precision'] == pytest.approx(1 / 3)
    assert res['anchor/recall'] == pytest.approx(1 / 3)


def test_curved_polygon_center_on_the_band():
    # upper half of an annulus of radii 90..110: the area centroid (y ~ 64)
    # lies in the hole; the centre is the middle of the band at the apex
    angles = np.deg2rad(np.linspace(0, 180, 7))
    outer = np.stack([110 * np.cos(angles), 110 * np.sin(angles)], 1)
    inner = np.stack([90 * np.cos(angles), 90 * np.sin(angles)], 1)[::-1]
    arc = np.concatenate([outer, inner])
    assert not Polygon(arc).contains(Polygon(arc).centroid)
    np.testing.assert_allclose(polygon_center(arc), [0, 100], atol=1e-6)
    np.testing.assert_allclose(polygon_center(arc.reshape(-1)), [0, 100], atol=1e-6)
    res = evaluate(sample([[0, 100], [0, 64]], ['arc', 'arc'], gt=[(arc, 'arc')]))
    assert res['anchor/precision'] == 0.5 and res['anchor/inside_precision'] == 0.5
    # convex: the area centroid; a point or a segment: the vertex mean
    np.testing.assert_allclose(polygon_center(box(0, 0, 20, 10)), [10, 5])
    trapezoid = np.array([0, 0, 30, 0, 20, 10, 10, 10])
    centroid = Polygon(trapezoid.reshape(-1, 2)).centroid
    np.testing.assert_allclose(polygon_center(trapezoid), [centroid.x, centroid.y])
    np.testing.assert_allclose(polygon_center(np.array([3., 4.])), [3, 4])
    np.testing.assert_allclose(polygon_center(np.array([0, 0, 4, 2])), [2, 1])
    assert Polygon(arc).contains(Point(polygon_center(arc) + [0, -1e-3]))


def test_point_ground_truth():
    # one-vertex polygons (the anchor-point JSON) work as ground truth
    gt = [(np.array([10., 5.]), 'cat')]
    res = evaluate(sample([[10, 5], [11, 5]], ['cat', 'cat'], gt=gt))
    assert res['anchor/precision'] == 0.5 and res['anchor/inside_precision'] == 0.5


def test_bad_input():
    with pytest.raises(KeyError, match='with_polygon'):
        evaluate(
            dict(pred_instances=dict(points=np.zeros((0, 2)), scores=[], texts=[]),
                 gt_instances=dict(texts=['a'])))
    with pytest.raises(ValueError, match='1 polygons but 2 texts'):
        evaluate(
            dict(pred_instances=dict(points=np.zeros((0, 2)), scores=[], texts=[]),
                 gt_instances=dict(texts=['a', 'b'], polygons=[box(0, 0, 1, 1)])))
    with pytest.raises(ValueError, match='thr_sweep'):
        METRICS.build(dict(type='AnchorPointMetric', thr_sweep=[]))


def test_own_word_rate_counts_top_peaks_inside_their_own_polygon():
    # two words: cat's top peak on cat (hit), dog's top peak on cat (miss); dog's
    # lower peak on dog does not count (only the top peak of a word does)
    two = sample([[10, 5], [12, 5], [40, 5]], ['cat', 'dog', 'dog'],
                 scores=[0.9, 0.8, 0.1],
                 gt=[CAT, DOG])
    # one word only: not counted
    one = sample([[100, 100]], ['cat'], gt=[CAT])
    # two words, one without any peak (a miss), an ignored word not counted
    missing = sample([[40, 5]], ['dog'],
                     gt=[CAT, DOG, (box(60, 0, 80, 10), 'owl')],
                     ignored=[False, False, True])
    res = evaluate(two, one, missing)
    assert res['anchor/own_word_count'] == 4
    assert res['anchor/own_word_rate'] == 2 / 4
    assert evaluate(one)['anchor/own_word_rate'] == 0.
