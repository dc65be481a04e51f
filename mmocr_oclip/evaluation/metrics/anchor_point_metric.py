"""Precision / recall / hmean of predicted anchor points (WeCromCL stage 1)."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import shapely
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmocr.registry import METRICS
from shapely.geometry import LineString, Point, Polygon

IGNORED_TEXT = '###'


def _numpy(value, dtype) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)


def _shape(vertices: np.ndarray):
    """A valid shapely geometry of ``(V, 2)`` vertices (point, line, polygon)."""
    if len(vertices) == 1:
        return Point(vertices[0])
    if len(vertices) == 2:
        return LineString(vertices)
    return shapely.make_valid(Polygon(vertices))


def polygon_center(polygon: np.ndarray) -> np.ndarray:
    """The centre point of a word polygon.

    The area centroid when it lies inside the polygon (every convex and most
    curved words). For strongly bent words (a Total-Text arc) the centroid falls
    outside, on the concave side; then the centre is the middle of the band:
    the midpoint of the polygon's cross-section along the line through the
    centroid perpendicular to the long side of the minimum rotated rectangle
    (the arc's axis of symmetry), taking the piece nearest to the centroid.
    Degenerate polygons (fewer than 3 vertices, no area) give the vertex mean.

    Args:
        polygon (np.ndarray): ``(2V,)`` or ``(V, 2)`` vertex coordinates.

    Returns:
        np.ndarray: ``(2,)`` float64 point ``(x, y)``.
    """
    vertices = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    poly = _shape(vertices)
    if poly.area <= 0:
        return vertices.mean(0)
    centroid = poly.centroid
    if poly.intersects(centroid):
        return np.array([centroid.x, centroid.y])
    corners = np.asarray(poly.minimum_rotated_rectangle.exterior.coords)[:3]
    sides = np.diff(corners, axis=0)
    long_side = sides[np.argmax(np.linalg.norm(sides, axis=1))]
    normal = np.array([-long_side[1], long_side[0]]) / np.linalg.norm(long_side)
    reach = 2 * np.linalg.norm(np.ptp(vertices, axis=0))
    c = np.array([centroid.x, centroid.y])
    cut = poly.intersection(LineString([c - reach * normal, c + reach * normal]))
    pieces = [g for g in getattr(cut, 'geoms', [cut]) if g.length > 0]
    if not pieces:
        point = poly.representative_point()
        return np.array([point.x, point.y])
    piece = min(pieces, key=centroid.distance)
    mid = piece.interpolate(0.5, normalized=True)
    return np.array([mid.x, mid.y])


@METRICS.register_module()
class AnchorPointMetric(BaseMetric):
    """Anchor-point precision, recall and hmean of WeCromCL's stage 1.

    Consumes data samples with ``pred_instances`` (``points`` (P, 2),
    ``scores`` (P,), ``texts`` list[str]) and ``gt_instances``
    (``polygons`` list of (2V,) arrays, ``texts`` list[str], optional
    ``ignored`` (G,) bool), both in original image coordinates.

    The ground-truth point of a word is :func:`polygon_center` of its polygon.
    Ground truth flagged ``ignored`` or with text ``###`` is ignored (as in
    MMOCR's ``HmeanIOUMetric``): it is not counted in the recall and the
    predictions it absorbs are discarded (neither TP nor FP). Texts are
    compared case-insensitively.

    Predictions are matched greedily in descending score order (stable for
    equal scores), so the matching at a threshold ``t`` is the prefix of the
    matching at any lower threshold; each image is matched once and every
    threshold just counts the predictions with ``score >= t``.

    - Nearest protocol (the authors'): a prediction takes the nearest
      ground-truth point of its image (no distance limit, ignored words
      included). It is a TP if that word is not ignored, not yet matched and
      has the prediction's text; discarded if the word is ignored; else a FP.
    - Inside protocol (stricter): a prediction is a TP if it lies inside (or
      on the boundary of) the polygon of a not yet matched, not ignored word
      with its text (the one with the nearest centre if several); otherwise
      it is discarded if it lies inside an ignored polygon, else a FP.

    ``P = TP / (TP + FP)``, ``R = TP / #ground truth``, ``H`` the harmonic
    mean, each 0 when its denominator is 0, as the authors' evaluation (Wu et
    al., ECCV 2024): no prediction gives P = 0, no ground truth R = 0 (MMOCR's
    ``compute_hmean`` would give 1 for both). Reported keys: ``precision``,
    ``recall``, ``hmean`` and ``inside_precision``, ``inside_recall``,
    ``inside_hmean`` at ``score_thr``; ``best_hmean``, ``best_precision``,
    ``best_recall`` and ``best_thr`` of the nearest protocol over
    ``thr_sweep`` (the authors pick the best on the test set; among thresholds
    tying on H they report the highest, as here). ``own_word_rate``: on images
    with at least two distinct words, the share of words whose top peak (their
    highest-scoring point, whatever its score) lies inside one of their own
    polygons (``own_word_count`` words counted): 1 when every word's map peaks on
    that word, not on the image's other text.

    Args:
        score_thr (float): Fixed score threshold. Defaults to 0.
        thr_sweep (Sequence[float]): Thresholds of the best-hmean search.
            Defaults to the authors' ``(0, 0.01, ..., 0.05)``.
        collect_device (str): ``cpu`` or ``gpu``. Defaults to ``cpu``.
        prefix (str, optional): Metric name prefix. Defaults to ``anchor``.
    """
    default_prefix: Optional[str] = 'anchor'

    def __init__(self,
                 score_thr: float = 0.,
                 thr_sweep: Sequence[float] = (0., 0.01, 0.02, 0.03, 0.04, 0.05),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not len(thr_sweep):
            raise ValueError('thr_sweep must not be empty')
        self.score_thr = float(score_thr)
        self.thr_sweep = [float(t) for t in thr_sweep]

    def process(self, data_batch: Sequence, data_samples: Sequence[Dict]) -> None:
        """Match the predictions of every image and keep the outcomes.

        Args:
            data_batch (Sequence): Unused.
            data_samples (Sequence[dict]): Model outputs (``to_dict()`` form).
        """
        for sample in data_samples:
            self.results.append(
                self.match_image(sample['pred_instances'], sample['gt_instances']))

    @staticmethod
    def match_image(pred: Dict, gt: Dict) -> Dict:
        """Match one image's predictions to its ground truth.

        Args:
            pred (dict): ``points`` (P, 2), ``scores`` (P,), ``texts``.
            gt (dict): ``polygons``, ``texts``, optional ``ignored`` (G,).

        Returns:
            dict: ``scores`` (P,) sorted descending, ``outcome`` and
            ``inside_outcome`` (P,) int8 aligned with them (1 TP, 0 FP,
            -1 discarded) and ``num_gt`` (not ignored ground truth).
        """
        scores = _numpy(pred['scores'], np.float64).reshape(-1)
        points = _numpy(pred['points'], np.float64).reshape(-1, 2)
        order = np.argsort(-scores, kind='stable')
        scores, points = scores[order], points[order]
        pred_texts = [str(pred['texts'][i]).lower() for i in order]
        gt_texts = [str(t).lower() for t in gt['texts']]
        num_gt = len(gt_texts)
        ignored = np.zeros(num_gt, bool)
        if gt.get('ignored') is not None:
            ignored |= _numpy(gt['ignored'], bool).reshape(-1)
        ignored |= np.array([t == IGNORED_TEXT for t in gt_texts], bool)
        if gt.get('polygons') is None:
            raise KeyError('AnchorPointMetric needs gt_instances.polygons: load '
                           'them with LoadOCRAnnotations(with_polygon=True) and '
                           'pack them with PackOCLIPInputs')
        polygons = list(gt['polygons'])
        if len(polygons) != num_gt:
            raise ValueError(f'gt_instances has {len(polygons)} polygons but '
                             f'{num_gt} texts')
        centers = np.array([polygon_center(p) for p in polygons]).reshape(-1, 2)
        # (P, G) text agreement, distances to the centres, point in polygon
        same_text = (np.asarray(pred_texts, dtype=str)[:, None] == np.asarray(
            gt_texts, dtype=str)[None]).reshape(len(points), num_gt)
        dist = np.linalg.norm(points[:, None] - centers[None], axis=-1)
        shapes = np.empty((1, num_gt), object)
        shapes[0, :] = [
            _shape(np.asarray(p, np.float64).reshape(-1, 2)) for p in polygons
        ]
        inside = np.zeros((len(points), num_gt), bool)
        if inside.size:
            inside = shapely.intersects_xy(shapes, points[:, :1], points[:, 1:])
        outcome = np.zeros(len(points), np.int8)
        inside_outcome = np.zeros(len(points), np.int8)
        matched = np.zeros(num_gt, bool)
        inside_matched = np.zeros(num_gt, bool)
        candidates = same_text & inside & ~ignored
        in_ignored = (inside & ignored).any(1)
        for i in range(len(points)):
            if num_gt:
                j = int(dist[i].argmin())
                if ignored[j]:
                    outcome[i] = -1
                elif same_text[i, j] and not matched[j]:
                    outcome[i] = matched[j] = 1
            free = np.flatnonzero(candidates[i] & ~inside_matched)
            if len(free):
                inside_matched[free[dist[i, free].argmin()]] = True
                inside_outcome[i] = 1
            elif in_ignored[i]:
                inside_outcome[i] = -1
        own_words, own_hits = AnchorPointMetric._own_words(pred_texts, gt_texts,
                                                           ignored, inside)
        return dict(scores=scores,
                    outcome=outcome,
                    inside_outcome=inside_outcome,
                    num_gt=int((~ignored).sum()),
                    own_words=own_words,
                    own_hits=own_hits)

    @staticmethod
    def _own_words(pred_texts: List[str], gt_texts: List[str], ignored: np.ndarray,
                   inside: np.ndarray):
        """Per-word test of an image with >= 2 distinct (not ignored) words: is
        each word's top peak inside one of that word's own polygons?

        Args:
            pred_texts (list[str]): P lower-cased texts, by descending score.
            gt_texts (list[str]): G lower-cased texts.
            ignored (np.ndarray): (G,) bool.
            inside (np.ndarray): (P, G) bool, point in polygon.

        Returns:
            tuple[int, int]: the image's distinct words counted (0 for an image
            with fewer than 2), and how many of them have their top peak inside
            their own polygon (a word without any peak counts as a miss).
        """
        words = sorted({t for t, ign in zip(gt_texts, ignored) if not ign})
        if len(words) < 2:
            return 0, 0
        hits = 0
        for word in words:
            top = next((i for i, t in enumerate(pred_texts) if t == word), None)
            own = [j for j, t in enumerate(gt_texts) if t == word and not ignored[j]]
            hits += int(top is not None and bool(inside[top, own].any()))
        return len(words), hits

    @staticmethod
    def _hmean(results: List[Dict], key: str, thr: float) -> Dict[str, float]:
        """Precision, recall and hmean of outcome ``key`` at score ``thr``."""
        hits = preds = 0
        for r in results:
            kept = r[key][r['scores'] >= thr]
            hits += int((kept == 1).sum())
            preds += int((kept >= 0).sum())
        num_gt = sum(r['num_gt'] for r in results)
        precision = hits / preds if preds else 0.
        recall = hits / num_gt if num_gt else 0.
        total = precision + recall
        hmean = 2 * precision * recall / total if total else 0.
        return dict(precision=precision, recall=recall, hmean=hmean)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Compute the metrics over all images.

        Args:
            results (list[dict]): Outputs of :meth:`match_image`.

        Returns:
            dict[str, float]: The metrics listed in the class docstring.
        """
        logger = MMLogger.get_current_instance()
        metrics = self._hmean(results, 'outcome', self.score_thr)
        inside = self._hmean(results, 'inside_outcome', self.score_thr)
        metrics.update({f'inside_{k}': v for k, v in inside.items()})
        best = None
        for thr in self.thr_sweep:
            swept = self._hmean(results, 'outcome', thr)
            logger.info(f'anchor points, score threshold {thr:.3f}: '
                        f'precision {swept["precision"]:.4f}, recall '
                        f'{swept["recall"]:.4f}, hmean {swept["hmean"]:.4f}')
            # ties on H: the highest threshold (the authors')
            if best is None or (swept['hmean'], thr) > (best['hmean'], best['thr']):
                best = dict(swept, thr=thr)
        metrics.update({f'best_{k}': v for k, v in best.items()})
        own_words = sum(r['own_words'] for r in results)
        metrics['own_word_rate'] = (sum(r['own_hits'] for r in results) /
                                    own_words if own_words else 0.)
        metrics['own_word_count'] = float(own_words)
        return metrics
