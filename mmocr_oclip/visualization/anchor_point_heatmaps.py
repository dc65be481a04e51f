"""Anchor-point pictures: each queried word's activation map over the image, with
its polygons and peaks."""
import cv2
import numpy as np

from .oclip_attention_visualizer import overlay_attention
from .word_outlines import outline_words

HEATMAP_LEGEND = ('colour: the word\'s activation (blue low, red high)',
                  'number: the maximum of the word\'s map',
                  'green outline: the word\'s polygon(s)',
                  'cross: a peak = an anchor point, green inside',
                  'the word\'s own polygon, red outside it')
HIDDEN_IMAGE_LEGEND = ('grey: the image is hidden; white outline and label: each '
                       'word of the image', )
TEXT_ONLY_LEGEND = ('colour: the word\'s activation (blue low, red high)',
                    'number: the maximum of the word\'s map',
                    'yellow cross: a peak = an anchor point (no polygon known)')


def _put_text(panel, text, origin, scale=0.4):
    """White text with a black outline (readable on any colour)."""
    cv2.putText(panel, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3)
    cv2.putText(panel, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255),
                1)


def heatmap_picture(packed, sample, stride, gt, columns=4, hide_image=False):
    """Each word's map over the network input with its polygons, peaks and name,
    above a legend.

    Args:
        packed (dict): the packed input, ``inputs`` (3, H, W) BGR uint8.
        sample: the data sample :meth:`localize_words` returned with
            ``return_maps=True`` (``word_texts``, ``word_maps`` (M, h, w),
            ``pred_instances``).
        stride (float): input pixels per map cell.
        gt (dict, optional): ``texts`` and ``polygons`` of the image
            (:func:`mmocr_oclip.apis.anchor_point_results.ground_truth`); None
            for an image known by its words only (peaks drawn yellow, no
            outline).
        columns (int): panels per row.
        hide_image (bool): a grey canvas with every word's outline and text
            instead of the image.

    Returns:
        np.ndarray: the RGB picture.
    """
    text_only = gt is None
    image = np.ascontiguousarray(packed['inputs'].permute(1, 2, 0).numpy()[..., ::-1])
    scale = np.asarray(sample.metainfo.get('scale_factor', (1., 1.))[:2], np.float64)
    if gt is None:
        gt = dict(texts=[], polygons=[])
    if hide_image:
        image[...] = 128
        outline_words(image, zip(gt['texts'], gt['polygons']), scale)
    pred = sample.pred_instances
    panel = image.copy()
    _put_text(panel, 'input hidden' if hide_image else 'input', (2, 12))
    panels = [panel]
    for word, word_map in zip(sample.word_texts, sample.word_maps.numpy()):
        panel = overlay_attention(image, word_map, stride)
        own = [(p.reshape(-1, 2) * scale).astype(np.float32)
               for p, t in zip(gt['polygons'], gt['texts']) if t.lower() == word]
        for polygon in own:
            cv2.polylines(panel, [polygon.round().astype(np.int32)], True, (0, 255, 0),
                          1)
        for (x, y), text in zip(pred.points.tolist(), pred.texts):
            if text != word:
                continue
            point = (float(x * scale[0]), float(y * scale[1]))
            inside = any(cv2.pointPolygonTest(p, point, False) >= 0 for p in own)
            colour = (255, 255, 0) if text_only else (0, 255, 0) if inside else (255, 0,
                                                                                 0)
            center = (round(point[0]), round(point[1]))
            cv2.drawMarker(panel, center, (0, 0, 0), cv2.MARKER_CROSS, 11, 3)
            cv2.drawMarker(panel, center, colour, cv2.MARKER_CROSS, 9, 1)
        _put_text(panel, f'{word} {float(word_map.max()):.3f}', (2, 12))
        panels.append(panel)
    columns = min(columns, len(panels))
    panels += [np.full_like(image, 255)] * (-len(panels) % columns)
    grid = np.vstack(
        [np.hstack(panels[i:i + columns]) for i in range(0, len(panels), columns)])
    lines = TEXT_ONLY_LEGEND if text_only else HEATMAP_LEGEND
    lines += HIDDEN_IMAGE_LEGEND if hide_image else ()
    legend = np.full((6 + 14 * len(lines), grid.shape[1], 3), 255, np.uint8)
    for k, line in enumerate(lines):
        cv2.putText(legend, line, (3, 13 + 14 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                    (0, 0, 0), 1)
    return np.vstack([grid, legend])
