"""Compositing of the synthetic text renderer's words into an image.

A placed word's alpha layers (from :func:`._draw_word`) are warped into the
image region it covers (:func:`_warp_layers`), then blended into the planar
(3, H, W) float32 BGR image: an optional sign plate (:func:`_draw_plate`)
first, then shadow, outline and fill in colours that contrast with the
background under the ink (:func:`_composite`).
"""
from typing import Dict, Tuple, Union

import cv2
import numpy as np

from .backgrounds import _contrast_color, _planes, _random_color
from .geometry import _ArcMap, _translation


def _roi(poly: np.ndarray, img_h: int, img_w: int) -> Tuple[int, int, int, int]:
    """Integer ROI (x0, y0, w, h) covering a polygon (n, 2)."""
    x0, y0 = np.maximum(np.floor(poly.min(0)).astype(int), 0)
    x1, y1 = np.ceil(poly.max(0)).astype(int) + 1
    return x0, y0, min(x1, img_w) - x0, min(y1, img_h) - y0


def _warp_layers(layers: np.ndarray, warp: Union[np.ndarray, _ArcMap],
                 shift: np.ndarray, roi: Tuple[int, int, int, int]) -> np.ndarray:
    """Warp a word's layers into the image region ``roi``.

    Args:
        layers (np.ndarray): (h, w, 3) uint8 alpha layers of the word patch.
        warp (np.ndarray or _ArcMap): 3x3 homography of a straight word or
            arc mapping of a curved word, both centred on the origin; the
            arc mapping's ``shift`` is set to ``shift``.
        shift (np.ndarray): (2, ) translation of the word in the image.
        roi (tuple[int]): Image region (x0, y0, w, h) to warp into.

    Returns:
        np.ndarray: (h, w, 3) uint8 warped layers of the region.
    """
    x0, y0, w, h = roi
    if isinstance(warp, _ArcMap):
        warp.shift = shift
        map_u, map_v = warp.inverse_maps(x0, y0, w, h)
        return cv2.remap(layers,
                         map_u,
                         map_v,
                         cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT)
    mat = _translation(*(shift - [x0, y0])) @ warp
    if np.allclose(mat[2], [0, 0, 1]):
        return cv2.warpAffine(layers,
                              mat[:2], (w, h),
                              flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
    return cv2.warpPerspective(layers,
                               mat, (w, h),
                               flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT)


def _draw_plate(img: np.ndarray, plate: np.ndarray, rng: np.random.Generator):
    """Fill a sign plate polygon (n, 2) into ``img`` (3, H, W) float32."""
    x0, y0, w, h = _roi(plate, *img.shape[1:])
    mask = np.zeros((h, w), np.uint8)
    pts = [np.round((plate - [x0, y0]) * 4).astype(np.int32)]
    cv2.fillPoly(mask, pts, 255, cv2.LINE_AA, shift=2)
    roi = img[:, y0:y0 + h, x0:x0 + w]
    color = _planes(_random_color(rng))
    if rng.random() < 0.4:
        t = np.linspace(0, 0.5, h, dtype=np.float32)[:, None]
        color = color + t * (_planes(_random_color(rng)) - color)
    roi += mask * np.float32(1 / 255) * (color - roi)
    if rng.random() < 0.4:  # frame
        mask[:] = 0
        cv2.polylines(mask,
                      pts,
                      True,
                      255,
                      int(rng.integers(1, 4)),
                      cv2.LINE_AA,
                      shift=2)
        roi += mask * np.float32(1 / 255) * (_planes(_random_color(rng)) - roi)


def _composite(img: np.ndarray, alpha: np.ndarray, roi: Tuple[int, int, int, int],
               style: Dict, rng: np.random.Generator):
    """Blend warped layers (h, w, 3) uint8 into ``img`` (3, H, W) at
    ``roi``; text colours contrast with the background under the ink."""
    x0, y0, w, h = roi
    patch = img[:, y0:y0 + h, x0:x0 + w]
    fill, full, shade = np.ascontiguousarray(alpha.transpose(2, 0, 1),
                                             dtype=np.float32) * np.float32(1 / 255)
    ink = alpha[..., 1] > 127
    bg = patch[:, ink].mean(1) if ink.any() else patch.mean((1, 2))
    if style['shadow']:
        shade *= np.float32(rng.uniform(0.4, 0.85))
        patch += shade * (_planes(rng.uniform(0, 60, 3)) - patch)
    color = _contrast_color(bg, rng)
    if style['outline']:
        patch += full * (_planes(_contrast_color(color, rng)) - patch)
    color = _planes(color)
    if rng.random() < 0.15:  # vertical colour gradient in the glyphs
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        color = color + t * (_planes(_contrast_color(bg, rng)) - color)
    patch += fill * (color - patch)
