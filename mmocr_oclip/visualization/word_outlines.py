"""Annotated words drawn over a picture: each polygon's outline and its text."""
import cv2
import numpy as np


def outline_words(canvas, outlines, scale_factor):
    """Draw each word's polygon and its text in white on ``canvas``.

    Args:
        canvas (np.ndarray): (H, W, 3) uint8, changed in place.
        outlines (Iterable[tuple[str, Sequence[float]]]): ``(text, polygon)``
            pairs, polygons as flat ``[x1, y1, x2, y2, ...]`` in image pixels.
        scale_factor (Sequence[float]): (w, h) ratios from image pixels to
            ``canvas`` pixels (the pipeline's ``scale_factor``).

    Returns:
        np.ndarray: ``canvas``.
    """
    for text, polygon in outlines:
        points = np.asarray(polygon, np.float64).reshape(-1, 2) * scale_factor
        points = np.round(points).astype(np.int32)
        cv2.polylines(canvas, [points], True, (255, 255, 255), 1, cv2.LINE_AA)
        x, y = points[:, 0].min(), max(int(points[:, 1].min()) - 3, 10)
        cv2.putText(canvas, text, (int(x), y), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return canvas
