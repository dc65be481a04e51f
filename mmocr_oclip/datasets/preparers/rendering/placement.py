"""Placement of the synthetic text renderer's words in an image.

:func:`_place` tries random positions for a word's region polygon until it
overlaps no word already drawn (with a gap around it), as recorded in the
image's occupancy mask.
"""
from typing import Optional

import cv2
import numpy as np


def _place(region: np.ndarray, occupied: np.ndarray, gap: int, rng: np.random.Generator,
           max_tries: int) -> Optional[np.ndarray]:
    """Find a free position for a region polygon (n, 2).

    Args:
        region (np.ndarray): Polygon (n, 2) to keep free of other words.
        occupied (np.ndarray): (H, W) uint8 occupancy mask, updated in
            place when a position is found.
        gap (int): Minimum distance to other words in pixels.
        rng (np.random.Generator): Random generator.
        max_tries (int): Random positions tried before giving up.

    Returns:
        np.ndarray or None: The (2, ) translation, None if nothing fits.
    """
    img_h, img_w = occupied.shape
    origin = np.floor(region.min(0))
    local = region - origin
    bw, bh = np.ceil(local.max(0)).astype(int) + 1
    if bw > img_w or bh > img_h:
        return None
    mask = np.zeros((bh + 2 * gap, bw + 2 * gap), np.uint8)
    pts = [np.round(local + gap).astype(np.int32)]
    cv2.fillPoly(mask, pts, 1)
    cv2.polylines(mask, pts, True, 1, 2 * gap + 1)
    mask = mask.astype(bool)
    for _ in range(max_tries):
        tx = int(rng.integers(0, img_w - bw + 1))
        ty = int(rng.integers(0, img_h - bh + 1))
        # the gap border of the mask may stick out of the image: crop it
        my0, mx0 = max(0, gap - ty), max(0, gap - tx)
        win = occupied[ty - gap + my0:ty + bh + gap, tx - gap + mx0:tx + bw + gap]
        m = mask[my0:my0 + win.shape[0], mx0:mx0 + win.shape[1]]
        if not win[m].any():
            win[m] = 1
            return np.array([tx, ty], dtype=np.float64) - origin
    return None
