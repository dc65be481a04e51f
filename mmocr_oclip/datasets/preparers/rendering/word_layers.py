"""Rasterisation of one word of the synthetic text renderer.

:func:`_draw_word` draws a word with PIL into three alpha layers (fill, fill
with outline, drop shadow) that the renderer then warps and composites.
"""
import math
from typing import Dict, Optional, Tuple

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont


def _draw_word(text: str, font: ImageFont.FreeTypeFont, rng: np.random.Generator,
               outline_ratio: float,
               shadow_ratio: float) -> Optional[Tuple[np.ndarray, Tuple, Dict]]:
    """Rasterise a word into alpha layers.

    Args:
        text (str): The word.
        font (ImageFont.FreeTypeFont): Font, at its pixel size.
        rng (np.random.Generator): Random generator.
        outline_ratio (float): Probability of an outline.
        shadow_ratio (float): Probability of a drop shadow.

    Returns:
        tuple or None: ``(layers, box, style)`` where ``layers`` is a
        (h, w, 3) uint8 array of fill / fill+outline / shadow alpha,
        ``box`` = (x0, y0, x1, y1) in pixel-centre coordinates encloses
        every source pixel that can contribute to a bilinear warp, and
        ``style`` holds 'outline'/'shadow' flags. None if nothing is
        drawn.
    """
    size = font.size
    stroke = (max(1, round(size * rng.uniform(0.03, 0.08)))
              if rng.random() < outline_ratio else 0)
    shadow = rng.random() < shadow_ratio
    if shadow:
        off = size * rng.uniform(0.03, 0.1)
        ang = rng.uniform(0.15, 0.85) * np.pi  # mostly down-wards
        dx = int(round(off * np.cos(ang)))
        dy = max(1, int(round(off * np.sin(ang))))
        soft = rng.uniform(0.5, 0.1 * size + 0.6) if rng.random() < .5 else 0
    else:
        dx = dy = 0
        soft = 0
    pad = 2 + max(abs(dx), dy) + math.ceil(3 * soft)
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    w, h = right - left + 2 * pad, bottom - top + 2 * pad
    origin = (pad - left, pad - top)
    full = Image.new('L', (w, h), 0)
    ImageDraw.Draw(full).text(origin,
                              text,
                              fill=255,
                              font=font,
                              stroke_width=stroke,
                              stroke_fill=255)
    layers = np.zeros((h, w, 3), np.uint8)
    layers[..., 1] = np.asarray(full)
    if stroke:
        fill = Image.new('L', (w, h), 0)
        ImageDraw.Draw(fill).text(origin, text, fill=255, font=font)
        layers[..., 0] = np.asarray(fill)
    else:
        layers[..., 0] = layers[..., 1]
    if shadow:
        sh = np.zeros((h, w), np.uint8)
        src = layers[:h - dy, max(0, -dx):w - max(0, dx), 1]
        sh[dy:, max(0, dx):w + min(0, dx)] = src
        layers[..., 2] = cv2.GaussianBlur(sh, (0, 0), soft) if soft else sh
    ink = layers.any(2)
    cols, rows = np.flatnonzero(ink.any(0)), np.flatnonzero(ink.any(1))
    if cols.size == 0:
        return None
    box = (cols[0] - 1., rows[0] - 1., cols[-1] + 1., rows[-1] + 1.)
    return layers, box, dict(outline=bool(stroke), shadow=shadow)
