"""Scene-like backgrounds and colours of the synthetic text renderer.

Backgrounds (plain, gradients, smooth noise, textures, random shapes, a mix of
them) are planar (3, H, W) float32 BGR images drawn from a
``numpy.random.Generator``; the colour helpers also colour the renderer's text,
outlines and sign plates.
"""
from typing import Tuple

import cv2
import numpy as np

from .geometry import _grid

BACKGROUND_STYLES = ('plain', 'gradient', 'noise', 'texture', 'shapes', 'mixed')
# sampling weights of the styles used when ``backgrounds`` is None
_DEFAULT_STYLES = {
    'gradient': 1.0,
    'noise': 1.0,
    'texture': 1.0,
    'shapes': 1.0,
    'mixed': 3.0
}
_LUMA_BGR = np.array([0.114, 0.587, 0.299], dtype=np.float32)


def _random_color(rng: np.random.Generator) -> np.ndarray:
    """A random colour, shape (3, ), float32."""
    return rng.uniform(0, 255, 3).astype(np.float32)


def _luma(color: np.ndarray) -> float:
    """Luminance of BGR colour(s) of shape (..., 3)."""
    return color @ _LUMA_BGR


def _contrast_color(bg: np.ndarray,
                    rng: np.random.Generator,
                    min_diff: float = 90.) -> np.ndarray:
    """A random BGR colour whose luminance differs from ``bg`` (3, ) by at
    least ``min_diff`` (when possible); returns shape (3, ) float32."""
    color = _random_color(rng)
    if rng.random() < 0.35:  # achromatic text is frequent in scenes
        color[:] = color.mean()
    lum, lum_c = _luma(bg), _luma(color)
    if lum > 127.5:
        target = rng.uniform(0, max(lum - min_diff, 0) + 1)
        color *= target / max(lum_c, 1.)
    else:
        target = rng.uniform(min(lum + min_diff, 254), 255)
        color = 255 - (255 - color) * (255 - target) / max(255 - lum_c, 1.)
    return np.clip(color, 0, 255).astype(np.float32)


def _rotated_grid(h: int, w: int,
                  rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates in a randomly rotated frame, shapes (h, w)."""
    x, y = _grid(h, w)
    a = rng.uniform(0, np.pi)
    ca, sa = np.float32(np.cos(a)), np.float32(np.sin(a))
    return x * ca + y * sa, y * ca - x * sa


def _planes(color: np.ndarray) -> np.ndarray:
    """Colour (3, ) -> (3, 1, 1) to broadcast against planar images."""
    return color[:, None, None]


def _blend(c1: np.ndarray, c2: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Mix colours (3, ) by weights ``t`` (h, w) -> planar image (3, h, w).

    Backgrounds are built channel-first because numpy broadcasting over a
    trailing axis of length 3 is several times slower.
    """
    return _planes(c1) + t[None] * _planes(c2 - c1)


def _normalize(t: np.ndarray) -> np.ndarray:
    """Rescale an array to [0, 1] (in place)."""
    t -= t.min()
    t /= max(float(t.max()), 1e-6)
    return t


def _smooth_noise(h: int, w: int, cells: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth random field in [0, 1] of shape (h, w), float32.

    A low resolution random grid with about ``cells`` cells along the
    longer side is upsampled bicubically.
    """
    scale = cells / max(h, w)
    gh, gw = max(2, round(h * scale) + 1), max(2, round(w * scale) + 1)
    low = rng.random((gh, gw), dtype=np.float32)
    return _normalize(cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC))


def _bg_plain(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform colour, (3, h, w) float32."""
    return np.broadcast_to(_planes(_random_color(rng)), (3, h, w)).copy()


def _bg_gradient(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Linear or radial gradient between two colours, (3, h, w) float32."""
    if rng.random() < 0.6:
        t = _rotated_grid(h, w, rng)[0]
    else:
        x, y = _grid(h, w)
        cx, cy = rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h
        t = np.sqrt((x - cx)**2 + (y - cy)**2)
    t = _normalize(t)
    if rng.random() < 0.3:  # non-linear ramp
        t **= rng.uniform(0.4, 2.5)
    return _blend(_random_color(rng), _random_color(rng), t)


def _bg_noise(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth multi-octave colour noise, (3, h, w) float32."""
    cells = int(rng.integers(2, 10))
    t = _normalize(
        _smooth_noise(h, w, cells, rng) + 0.35 * _smooth_noise(h, w, cells * 4, rng))
    img = _blend(_random_color(rng), _random_color(rng), t)
    if rng.random() < 0.5:  # third colour blob
        t3 = np.clip(_smooth_noise(h, w, cells, rng) * 2 - 1, 0, 1)
        img += t3[None] * (_planes(_random_color(rng)) - img)
    return img


def _bg_texture(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Stripes, tiles, bricks, wood or grain texture, (3, h, w) float32."""
    u, v = _rotated_grid(h, w, rng)
    period = rng.uniform(6, 60)
    kind = rng.integers(5)
    if kind == 0:  # stripes, sharpened sine
        t = np.sin(u * np.float32(2 * np.pi / period))
        t = np.clip(t * rng.uniform(1, 6), -1, 1) * 0.5 + 0.5
    elif kind == 1:  # tiles / grid lines
        th = rng.uniform(1, max(1.5, period / 6))
        t = ((u % period < th) | (v % period < th)).astype(np.float32)
    elif kind == 2:  # bricks
        ph = period * 0.5
        row = np.floor(v / ph)
        th = rng.uniform(1, max(1.5, ph / 5))
        t = ((v % ph < th) | ((u + (row % 2) * period * 0.5) % period < th))
        t = t.astype(np.float32)
    elif kind == 3:  # wood-like rings
        warp = _smooth_noise(h, w, 4, rng) * rng.uniform(10, 80)
        t = np.sin((u + warp) * np.float32(2 * np.pi / period)) * 0.5 + 0.5
    else:  # grain
        sigma = rng.uniform(0.6, 3)
        t = _normalize(
            cv2.GaussianBlur(rng.random((h, w), dtype=np.float32), (0, 0), sigma))
    c1 = _random_color(rng)
    c2 = np.clip(c1 + rng.normal(0, 45, 3), 0, 255).astype(np.float32)
    return _blend(c1, c2, t.astype(np.float32))


def _draw_shapes(img: np.ndarray, num: int, rng: np.random.Generator):
    """Blend ``num`` random (partly transparent, anti-aliased) shapes into
    ``img`` (3, h, w) float32, in place."""
    h, w = img.shape[1:]
    size = max(h, w)
    mask = np.zeros((h, w), np.uint8)
    for _ in range(num):
        mask[:] = 0
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = int(size * rng.uniform(0.03, 0.5))
        thick = -1 if rng.random() < 0.7 else int(rng.integers(1, 12))
        kind = rng.integers(5)
        if kind == 0:  # rotated rectangle
            box = cv2.boxPoints(
                ((cx, cy), (r * rng.uniform(0.5, 2.5), r * rng.uniform(0.3, 1.5)),
                 rng.uniform(0, 180) * (rng.random() < 0.4)))
            pts = [box.round().astype(np.int32)]
            if thick < 0:
                cv2.fillPoly(mask, pts, 255, cv2.LINE_AA)
            else:
                cv2.polylines(mask, pts, True, 255, thick, cv2.LINE_AA)
        elif kind == 1:  # ellipse
            axes = (r, max(1, int(r * rng.uniform(0.3, 1))))
            cv2.ellipse(mask, (cx, cy), axes, rng.uniform(0, 180), 0, 360, 255, thick,
                        cv2.LINE_AA)
        elif kind == 2:  # thick line
            ang = rng.uniform(0, np.pi)
            dx, dy = int(r * np.cos(ang)), int(r * np.sin(ang))
            cv2.line(mask, (cx - dx, cy - dy), (cx + dx, cy + dy), 255,
                     int(rng.integers(2, max(3, r // 4))), cv2.LINE_AA)
        else:  # random polygon (convex-ish star)
            n = int(rng.integers(3, 8))
            ang = np.sort(rng.uniform(0, 2 * np.pi, n))
            rad = r * rng.uniform(0.4, 1, n)
            pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], 1)
            cv2.fillPoly(mask, [pts.round().astype(np.int32)], 255, cv2.LINE_AA)
        x, y, bw, bh = cv2.boundingRect(mask)
        if bw == 0 or bh == 0:
            continue
        opacity = 1. if rng.random() < 0.5 else rng.uniform(0.25, 0.85)
        alpha = mask[None, y:y + bh, x:x + bw] * np.float32(opacity / 255)
        roi = img[:, y:y + bh, x:x + bw]
        color = _planes(_random_color(rng))
        if rng.random() < 0.3:  # shaded shape
            t = np.linspace(0, 1, bh, dtype=np.float32)[:, None]
            color = color + t * np.float32(rng.uniform(-80, 80))
        roi += alpha * (color - roi)


def _bg_shapes(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Plain or gradient base with many random shapes, (3, h, w) float32."""
    img = (_bg_plain if rng.random() < 0.4 else _bg_gradient)(h, w, rng)
    _draw_shapes(img, int(rng.integers(4, 14)), rng)
    return img


def _bg_mixed(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Gradient/noise base, optional texture overlay and a few shapes."""
    img = (_bg_gradient if rng.random() < 0.5 else _bg_noise)(h, w, rng)
    if rng.random() < 0.6:
        tex = _bg_texture(h, w, rng)
        if rng.random() < 0.5:  # texture only in a smooth region
            a = np.clip(_smooth_noise(h, w, 3, rng) * 3 - 1, 0, 1)[None]
        else:
            a = np.float32(rng.uniform(0.15, 0.5))
        img += a * (tex - img)
    if rng.random() < 0.7:
        _draw_shapes(img, int(rng.integers(1, 7)), rng)
    return img


_BACKGROUNDS = {
    'plain': _bg_plain,
    'gradient': _bg_gradient,
    'noise': _bg_noise,
    'texture': _bg_texture,
    'shapes': _bg_shapes,
    'mixed': _bg_mixed
}
