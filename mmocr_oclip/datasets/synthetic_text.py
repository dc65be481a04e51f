"""Synthetic scene-text renderer producing MMOCR 1.x annotations.

Words are drawn with PIL onto procedurally generated scene-like backgrounds
(gradients, smooth noise, textures, random shapes, sign plates), warped with
OpenCV (rotation, mild perspective, circular arcs) and annotated with polygons
that enclose every drawn glyph pixel: quadrilaterals for straight words and
``2N``-point polygons (``N`` points along the top edge, then ``N`` back along
the bottom edge, clockwise) for curved words.

Everything is driven by a ``numpy.random.Generator`` so the same seed gives
byte-identical images and annotations, independently of the worker count.
"""
import functools
import json
import math
import multiprocessing
import os
import os.path as osp
import string
import time
import zlib
from collections import Counter
from glob import glob
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import matplotlib
import numpy as np
from matplotlib import ft2font
from PIL import Image, ImageDraw, ImageFont

DEFAULT_CHARSET = string.ascii_letters + string.digits
_LETTERS = np.array(list(string.ascii_letters))
_DIGITS = np.array(list(string.digits))
_ALNUM = np.array(list(DEFAULT_CHARSET))
BACKGROUND_STYLES = ('plain', 'gradient', 'noise', 'texture', 'shapes', 'mixed')
# sampling weights of the styles used when ``backgrounds`` is None
_DEFAULT_STYLES = {
    'gradient': 1.0,
    'noise': 1.0,
    'texture': 1.0,
    'shapes': 1.0,
    'mixed': 3.0
}
_FONT_EXTS = ('.ttf', '.otf', '.ttc')
# why a sampled word is not drawn (render_bgr's ``skipped``), as a phrase
SKIP_REASONS = {
    'no_space': 'found no free place: every tried position overlapped the words '
    'already drawn',
    'too_long': 'were wider than the image even at the smallest font size',
    'too_big': 'were larger than the image once rotated, tilted, curved or on a plate',
    'no_font': 'have characters that no font has',
    'blank': 'draw no visible pixel',
}
_LUMA_BGR = np.array([0.114, 0.587, 0.299], dtype=np.float32)

SizeSpec = Union[int, Tuple[int, int]]


def default_font_files() -> List[str]:
    """DejaVu fonts shipped with matplotlib (without the tiny Display fonts).

    Returns:
        list[str]: Sorted font paths.
    """
    font_dir = osp.join(matplotlib.get_data_path(), 'fonts', 'ttf')
    return sorted(f for f in glob(osp.join(font_dir, 'DejaVu*.ttf'))
                  if 'Display' not in f)


def list_font_files(fonts_dir: str) -> List[str]:
    """List ``.ttf``/``.otf``/``.ttc`` files in a folder (recursively).

    Args:
        fonts_dir (str): Folder holding font files.

    Returns:
        list[str]: Sorted font paths.
    """
    if not osp.isdir(fonts_dir):
        raise FileNotFoundError(f'fonts_dir not found: {fonts_dir}')
    fonts = sorted(
        osp.join(root, f) for root, _, files in os.walk(fonts_dir) for f in files
        if f.lower().endswith(_FONT_EXTS))
    if not fonts:
        raise FileNotFoundError(f'no .ttf/.otf/.ttc font files in {fonts_dir}')
    return fonts


def load_word_list(path: str) -> List[str]:
    """Read a word list file (one word per line, blank lines ignored)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'word list file not found: {path}')
    with open(path, encoding='utf-8') as f:
        return [w for w in (line.strip() for line in f) if w]


def load_dict_chars(path: str) -> List[str]:
    """Read an MMOCR dictionary file (one character per line).

    Whitespace characters are dropped as they cannot start or end a word.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'dictionary file not found: {path}')
    with open(path, encoding='utf-8') as f:
        chars = [line.rstrip('\r\n') for line in f]
    chars = [c for c in chars if len(c) == 1 and not c.isspace()]
    if not chars:
        raise ValueError(f'dictionary file {path} has no usable characters')
    return list(dict.fromkeys(chars))


@functools.lru_cache(maxsize=128)  # a font object costs ~0.2 MB
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Cached ``ImageFont.truetype``."""
    return ImageFont.truetype(path, size)


def _size_range(spec: SizeSpec) -> Tuple[int, int]:
    """Normalise ``int`` or ``(min, max)`` to ``(min, max)``."""
    lo, hi = (spec, spec) if np.isscalar(spec) else spec
    if not 0 < lo <= hi:
        raise ValueError(f'invalid size range {spec}')
    return int(lo), int(hi)


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


def _grid(h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates, shapes (1, w) and (h, 1), float32."""
    x, y = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    return x[None], y[:, None]


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


def _apply_h(mat: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to points (n, 2) -> (n, 2)."""
    p = pts @ mat[:, :2].T + mat[:, 2]
    return p[:, :2] / p[:, 2:]


def _translation(tx: float, ty: float) -> np.ndarray:
    """3x3 translation matrix."""
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=np.float64)


def _rotation(deg: float) -> np.ndarray:
    """3x3 rotation matrix about the origin."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)


def _tilt_homography(corners: np.ndarray, rng: np.random.Generator,
                     max_tilt: float) -> np.ndarray:
    """Mild perspective: the text plane is turned in 3D and re-projected.

    Args:
        corners (np.ndarray): Box corners (4, 2) centred on the origin.
        max_tilt (float): Max yaw in degrees (pitch is 0.6 of it).

    Returns:
        np.ndarray: 3x3 homography mapping the corners to the projection.
    """
    yaw, pitch = np.deg2rad(rng.uniform(-1, 1, 2) * max_tilt * [1, 0.6])
    cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
    rot = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]]) @ np.array(
        [[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    focal = np.abs(corners).max() * rng.uniform(2, 4)
    pts3d = np.concatenate([corners, np.zeros((4, 1))], 1) @ rot.T
    proj = focal * pts3d[:, :2] / (pts3d[:, 2:] + focal)
    return cv2.getPerspectiveTransform(corners.astype(np.float32),
                                       proj.astype(np.float32)).astype(np.float64)


class _ArcMap:
    """Bend a word patch along a circular arc, then rotate and translate.

    Source (patch) point ``(u, v)`` goes to the local point at angle
    ``(u - uc) / radius`` and signed radius ``radius - (v - vc)`` around the
    centre ``(0, radius)``; positive radii bulge upwards, negative ones
    downwards. The result is rotated by ``angle`` and shifted by ``shift``.
    """

    def __init__(self, center: Tuple[float, float], radius: float, angle: float):
        self.uc, self.vc = center
        self.radius = radius
        self.rot = _rotation(angle)[:2, :2]
        self.shift = np.zeros(2)

    def forward(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Map source coordinates (n, ) to image points (n, 2)."""
        theta = (u - self.uc) / self.radius
        r = self.radius - (v - self.vc)
        local = np.stack([r * np.sin(theta), self.radius - r * np.cos(theta)], 1)
        return local @ self.rot.T + self.shift

    def inverse_maps(self, x0: int, y0: int, w: int,
                     h: int) -> Tuple[np.ndarray, np.ndarray]:
        """``cv2.remap`` maps (h, w) float32 for the image ROI at (x0, y0)."""
        x, y = _grid(h, w)
        x, y = x + np.float32(x0 - self.shift[0]), y + np.float32(y0 - self.shift[1])
        (a, b), (c, d) = self.rot.astype(np.float32)
        lx, ly = a * x + c * y, b * x + d * y  # R^T @ (p - shift)
        s = np.float32(np.sign(self.radius))
        dy = np.float32(self.radius) - ly
        r = s * np.sqrt(lx * lx + dy * dy)
        theta = np.arctan2(s * lx, s * dy)
        map_u = np.float32(self.uc) + np.float32(self.radius) * theta
        map_v = np.float32(self.vc + self.radius) - r
        return map_u.astype(np.float32), map_v.astype(np.float32)


class SyntheticTextRenderer:
    """Render words onto synthetic scene-like backgrounds.

    Args:
        img_size (int or tuple): ``(H, W)``; each of ``H``/``W`` may be an
            int or a ``(min, max)`` range sampled per image. Defaults to
            (512, 512).
        words (list[str] or str, optional): Word list or path of a text file
            with one word per line. If given together with ``dict_file``,
            words with characters outside the dictionary are dropped.
        dict_file (str, optional): MMOCR dictionary file (one character per
            line). Without ``words``, random strings over its characters are
            rendered. Without both, random strings over ASCII letters and
            digits are used.
        word_length (tuple[int, int]): Length range of random strings.
        fonts_dir (str, optional): Extra folder of .ttf/.otf/.ttc fonts.
        use_default_fonts (bool): Use the DejaVu fonts shipped with
            matplotlib. Defaults to True.
        font_size (tuple[int, int]): Font size range in pixels (sampled
            log-uniformly, capped to 40% of the shorter image side).
        words_per_image (tuple[int, int]): Number of words attempted per
            image; words that cannot be placed are skipped.
        curved_ratio (float): Probability that a word (of >= 3 characters)
            is bent along a circular arc.
        max_curve (float): Max arc angle of curved words in degrees.
        curve_points (int): Points per long edge of curved polygons.
        max_rotation (float): Max absolute in-plane rotation in degrees.
        perspective (float): Probability of a mild perspective tilt of a
            straight word.
        max_tilt (float): Max 3D tilt in degrees for the perspective warp.
        outline_ratio (float): Probability of an outlined word.
        shadow_ratio (float): Probability of a drop shadow.
        plate_ratio (float): Probability of a sign plate behind a word.
        backgrounds (Sequence[str], optional): Background styles to sample
            from (see ``BACKGROUND_STYLES``); None means all but 'plain'.
        lighting (float): Probability of smooth illumination changes.
        blur (float): Probability of a Gaussian blur of the image.
        noise (float): Probability of additive Gaussian pixel noise.
        jpeg_noise (float): Probability of low-quality JPEG re-compression.
        max_tries (int): Placement attempts per word before it is skipped.
    """

    def __init__(self,
                 img_size: Tuple[SizeSpec, SizeSpec] = (512, 512),
                 words: Optional[Union[Sequence[str], str]] = None,
                 dict_file: Optional[str] = None,
                 word_length: Tuple[int, int] = (2, 10),
                 fonts_dir: Optional[str] = None,
                 use_default_fonts: bool = True,
                 font_size: Tuple[int, int] = (14, 96),
                 words_per_image: Tuple[int, int] = (3, 8),
                 curved_ratio: float = 0.2,
                 max_curve: float = 120.,
                 curve_points: int = 7,
                 max_rotation: float = 25.,
                 perspective: float = 0.3,
                 max_tilt: float = 40.,
                 outline_ratio: float = 0.15,
                 shadow_ratio: float = 0.2,
                 plate_ratio: float = 0.25,
                 backgrounds: Optional[Sequence[str]] = None,
                 lighting: float = 0.5,
                 blur: float = 0.3,
                 noise: float = 0.4,
                 jpeg_noise: float = 0.3,
                 max_tries: int = 30):
        if np.isscalar(img_size):
            img_size = (img_size, img_size)
        self.img_h, self.img_w = (_size_range(s) for s in img_size)
        chars = load_dict_chars(dict_file) if dict_file else None
        self.charset = None if chars is None else np.array(chars)
        if words is not None:
            if isinstance(words, str):
                words = load_word_list(words)
            words = [w.strip() for w in words if w.strip()]
            if chars is not None:
                words = [w for w in words if set(w) <= set(chars)]
            if not words:
                raise ValueError('the word list is empty (after filtering by '
                                 'the dictionary, if any)')
        self.words = words
        self.word_length = _size_range(word_length)
        fonts = default_font_files() if use_default_fonts else []
        if fonts_dir is not None:
            fonts += list_font_files(fonts_dir)
        if not fonts:
            raise FileNotFoundError('no fonts: matplotlib DejaVu fonts are '
                                    'missing and no fonts_dir was given')
        self.font_files = fonts
        self._charmaps = [frozenset(ft2font.FT2Font(f).get_charmap()) for f in fonts]
        self.font_size = _size_range(font_size)
        self.words_per_image = _size_range(words_per_image)
        self.curved_ratio = curved_ratio
        self.max_curve = np.deg2rad(max_curve)
        if curve_points < 2:
            raise ValueError('curve_points must be >= 2')
        self.curve_points = curve_points
        self.max_rotation = max_rotation
        self.perspective = perspective
        self.max_tilt = max_tilt
        self.outline_ratio = outline_ratio
        self.shadow_ratio = shadow_ratio
        self.plate_ratio = plate_ratio
        if backgrounds is None:
            styles, weights = zip(*_DEFAULT_STYLES.items())
        else:
            styles, weights = tuple(backgrounds), (1., ) * len(backgrounds)
            unknown = set(styles) - set(BACKGROUND_STYLES)
            if unknown or not styles:
                raise ValueError(f'backgrounds must be a non-empty subset of '
                                 f'{BACKGROUND_STYLES}, got {backgrounds}')
        self.bg_styles = styles
        self.bg_probs = np.asarray(weights) / sum(weights)
        self.lighting = lighting
        self.blur = blur
        self.noise = noise
        self.jpeg_noise = jpeg_noise
        self.max_tries = max_tries

    # ------------------------------------------------------------------ text
    def _sample_text(self, rng: np.random.Generator) -> str:
        """A word from the word list or a random string."""
        if self.words is not None:
            return self.words[rng.integers(len(self.words))]
        length = int(rng.integers(self.word_length[0], self.word_length[1] + 1))
        if self.charset is not None:
            return ''.join(rng.choice(self.charset, length))
        kind = rng.random()
        if kind < 0.1:  # numbers
            return ''.join(rng.choice(_DIGITS, length))
        if kind < 0.3:  # codes such as 'A4X7'
            return ''.join(rng.choice(_ALNUM, length)).upper()
        text = ''.join(rng.choice(_LETTERS, length))
        case = rng.choice(3, p=[0.4, 0.3, 0.3])
        return (text.lower(), text.upper(), text.capitalize())[case]

    def _font(self, idx: int, size: int) -> ImageFont.FreeTypeFont:
        """PIL font for font file ``idx`` at pixel ``size``."""
        return _load_font(self.font_files[idx], size)

    def _font_candidates(self, text: str) -> List[int]:
        """Indices of fonts having glyphs for all characters of ``text``."""
        codes = {ord(c) for c in text}
        return [i for i, cm in enumerate(self._charmaps) if codes <= cm]

    def _draw_word(self, text: str, font: ImageFont.FreeTypeFont,
                   rng: np.random.Generator) -> Optional[Tuple]:
        """Rasterise a word into alpha layers.

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
                  if rng.random() < self.outline_ratio else 0)
        shadow = rng.random() < self.shadow_ratio
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

    # -------------------------------------------------------------- geometry
    def _sample_angle(self, rng: np.random.Generator) -> float:
        """In-plane rotation in degrees; scene text is often near level."""
        if rng.random() < 0.4:
            return float(
                np.clip(rng.normal(0, 2), -self.max_rotation, self.max_rotation))
        return float(rng.uniform(-self.max_rotation, self.max_rotation))

    def _straight_geometry(self, box: Tuple[float, ...], plate_pad: Tuple,
                           rng: np.random.Generator) -> Tuple:
        """Homography (centred on the origin) and polygons of a straight word.

        Returns:
            tuple: ``(mat, poly, plate)``: 3x3 homography, text polygon (4, 2)
            and plate polygon (4, 2) or None.
        """
        x0, y0, x1, y1 = box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) - [cx, cy]
        mat = _rotation(self._sample_angle(rng))
        if rng.random() < self.perspective:
            mat = mat @ _tilt_homography(corners, rng, self.max_tilt)
        mat = mat @ _translation(-cx, -cy)
        poly = _apply_h(mat, corners + [cx, cy])
        plate = None
        if plate_pad is not None:
            px, py = plate_pad
            plate = _apply_h(
                mat,
                np.array([[x0 - px, y0 - py], [x1 + px, y0 - py], [x1 + px, y1 + py],
                          [x0 - px, y1 + py]]))
        return mat, poly, plate

    def _arc_polygon(self, arc: _ArcMap, x0: float, y0: float, x1: float,
                     y1: float) -> np.ndarray:
        """Clockwise 2N-point polygon (2N, 2) enclosing the bent box.

        The outer edge points are pushed out by ``1 / cos(dtheta / 2)`` so
        that its chords stay outside the arc.
        """
        n = self.curve_points
        u = np.linspace(x0, x1, n)
        r_top, r_bot = arc.radius - (y0 - arc.vc), arc.radius - (y1 - arc.vc)
        push = 1 / np.cos((x1 - x0) / abs(arc.radius) / (n - 1) / 2)
        # the edge farther from the arc centre is the outer one
        top_push, bot_push = (push, 1.) if abs(r_top) > abs(r_bot) else (1., push)
        v_top = arc.vc + arc.radius - r_top * top_push
        v_bot = arc.vc + arc.radius - r_bot * bot_push
        top = arc.forward(u, np.full(n, v_top))
        bottom = arc.forward(u[::-1], np.full(n, v_bot))
        return np.concatenate([top, bottom])

    def _curved_geometry(self, box: Tuple[float, ...], plate_pad: Tuple,
                         rng: np.random.Generator) -> Tuple:
        """Arc mapping (centred on the origin) and polygons of a curved word.

        Returns:
            tuple: ``(arc, poly, plate)``: :class:`_ArcMap`, text polygon
            (2N, 2) and plate polygon (2N, 2) or None.
        """
        x0, y0, x1, y1 = box
        bw, bh = x1 - x0, y1 - y0
        span = rng.uniform(0.3, 1) * self.max_curve
        radius = max(bw / span, 1.5 * bh) * rng.choice([-1, 1])
        arc = _ArcMap(((x0 + x1) / 2, (y0 + y1) / 2), radius, self._sample_angle(rng))
        poly = self._arc_polygon(arc, x0, y0, x1, y1)
        plate = None
        if plate_pad is not None:
            px, py = plate_pad
            plate = self._arc_polygon(arc, x0 - px, y0 - py, x1 + px, y1 + py)
        return arc, poly, plate

    def _place(self, region: np.ndarray, occupied: np.ndarray, gap: int,
               rng: np.random.Generator) -> Optional[np.ndarray]:
        """Find a free position for a region polygon (n, 2).

        Args:
            region (np.ndarray): Polygon (n, 2) to keep free of other words.
            occupied (np.ndarray): (H, W) uint8 occupancy mask, updated in
                place when a position is found.
            gap (int): Minimum distance to other words in pixels.

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
        for _ in range(self.max_tries):
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

    # ----------------------------------------------------------- composition
    @staticmethod
    def _roi(poly: np.ndarray, img_h: int, img_w: int) -> Tuple[int, ...]:
        """Integer ROI (x0, y0, w, h) covering a polygon (n, 2)."""
        x0, y0 = np.maximum(np.floor(poly.min(0)).astype(int), 0)
        x1, y1 = np.ceil(poly.max(0)).astype(int) + 1
        return x0, y0, min(x1, img_w) - x0, min(y1, img_h) - y0

    def _draw_plate(self, img: np.ndarray, plate: np.ndarray, rng: np.random.Generator):
        """Fill a sign plate polygon (n, 2) into ``img`` (3, H, W) float32."""
        x0, y0, w, h = self._roi(plate, *img.shape[1:])
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

    def _composite(self, img: np.ndarray, alpha: np.ndarray, roi: Tuple, style: Dict,
                   rng: np.random.Generator):
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

    def _add_word(self, img: np.ndarray, occupied: np.ndarray, text: str, size: int,
                  rng: np.random.Generator) -> Union[Dict, str]:
        """Draw one word into ``img`` (3, H, W); returns its instance, or the
        reason it is skipped (a key of :data:`SKIP_REASONS`)."""
        img_h, img_w = occupied.shape
        fonts = self._font_candidates(text)
        if not fonts:
            return 'no_font'
        idx = fonts[rng.integers(len(fonts))]
        length = self._font(idx, size).getlength(text)
        if length > 0.9 * img_w:
            size = int(size * 0.9 * img_w / length)
            if size < self.font_size[0]:
                return 'too_long'
        drawn = self._draw_word(text, self._font(idx, size), rng)
        if drawn is None:
            return 'blank'
        layers, box, style = drawn
        plate_pad = None
        if rng.random() < self.plate_ratio:
            ph = (box[3] - box[1]) * rng.uniform(0.15, 0.5)
            plate_pad = (ph * rng.uniform(1, 2.5), ph)
        curved = len(text) >= 3 and rng.random() < self.curved_ratio
        geometry = self._curved_geometry if curved else self._straight_geometry
        warp, poly, plate = geometry(box, plate_pad, rng)
        region = poly if plate is None else plate
        gap = max(2, int(0.15 * (box[3] - box[1])))
        extent = np.ceil(region.max(0) - np.floor(region.min(0))).astype(int) + 1
        if extent[0] > img_w or extent[1] > img_h:
            return 'too_big'  # (_place would find no position either)
        shift = self._place(region, occupied, gap, rng)
        if shift is None:
            return 'no_space'
        poly += shift
        roi = self._roi(poly, img_h, img_w)
        x0, y0, w, h = roi
        if curved:
            warp.shift = shift
            map_u, map_v = warp.inverse_maps(x0, y0, w, h)
            alpha = cv2.remap(layers,
                              map_u,
                              map_v,
                              cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        else:
            mat = _translation(*(shift - [x0, y0])) @ warp
            if np.allclose(mat[2], [0, 0, 1]):
                alpha = cv2.warpAffine(layers,
                                       mat[:2], (w, h),
                                       flags=cv2.INTER_LINEAR,
                                       borderMode=cv2.BORDER_CONSTANT)
            else:
                alpha = cv2.warpPerspective(layers,
                                            mat, (w, h),
                                            flags=cv2.INTER_LINEAR,
                                            borderMode=cv2.BORDER_CONSTANT)
        if plate is not None:
            self._draw_plate(img, plate + shift, rng)
        self._composite(img, alpha, roi, style, rng)
        return dict(polygon=np.round(poly, 2).ravel().tolist(),
                    bbox=np.round(np.concatenate([poly.min(0), poly.max(0)]),
                                  2).tolist(),
                    bbox_label=0,
                    ignore=False,
                    text=text)

    # ----------------------------------------------------------------- image
    def _post_process(self, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Lighting, blur, noise and JPEG artefacts.

        Args:
            img (np.ndarray): Planar (3, H, W) float32 BGR image.

        Returns:
            np.ndarray: (H, W, 3) uint8 BGR image.
        """
        h, w = img.shape[1:]
        if rng.random() < self.lighting:
            light = _smooth_noise(h, w, 3, rng) * rng.uniform(0.2, 0.6)
            img *= light + np.float32(rng.uniform(0.65, 1.0))
        if rng.random() < self.blur:
            sigma = rng.uniform(0.4, 1.3)
            for plane in img:
                cv2.GaussianBlur(plane, (0, 0), sigma, dst=plane)
        if rng.random() < self.noise:
            img += rng.standard_normal(
                (h, w), dtype=np.float32) * np.float32(rng.uniform(2, 9))
        img = np.clip(img + 0.5, 0, 255, out=img).astype(np.uint8)
        img = cv2.merge(list(img))
        if rng.random() < self.jpeg_noise:
            quality = int(rng.integers(20, 70))
            buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
            img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return img

    def render_bgr(self, rng: np.random.Generator) -> Tuple:
        """Render one image in BGR order (see :meth:`render`).

        Returns:
            tuple: ``(img, instances, skipped)``, ``skipped`` a Counter of the
            words not drawn by reason (keys of :data:`SKIP_REASONS`).
        """
        img_h = int(rng.integers(self.img_h[0], self.img_h[1] + 1))
        img_w = int(rng.integers(self.img_w[0], self.img_w[1] + 1))
        style = self.bg_styles[rng.choice(len(self.bg_styles), p=self.bg_probs)]
        img = _BACKGROUNDS[style](img_h, img_w, rng).astype(np.float32)  # CHW
        num = int(rng.integers(self.words_per_image[0], self.words_per_image[1] + 1))
        lo = self.font_size[0]
        hi = max(lo, min(self.font_size[1], int(0.4 * min(img_h, img_w))))
        sizes = np.exp(rng.uniform(np.log(lo), np.log(hi + 1), num)).astype(int)
        texts = [self._sample_text(rng) for _ in range(num)]
        occupied = np.zeros((img_h, img_w), np.uint8)
        instances, skipped = [], Counter()
        for i in np.argsort(-sizes, kind='stable'):  # big words first
            inst = self._add_word(img, occupied, texts[i], int(sizes[i]), rng)
            if isinstance(inst, str):
                skipped[inst] += 1
            else:
                instances.append(inst)
        return self._post_process(img, rng), instances, skipped

    def render(self,
               rng: Union[np.random.Generator, int],
               return_skipped: bool = False) -> Tuple:
        """Render one image.

        Args:
            rng (np.random.Generator or int): Random generator or seed.
            return_skipped (bool): Also return the number of skipped words.

        Returns:
            tuple: ``(img, instances[, num_skipped])`` where ``img`` is a
            (H, W, 3) uint8 **RGB** image and ``instances`` a list of MMOCR
            instance dicts (``polygon``, ``bbox``, ``bbox_label``,
            ``ignore``, ``text``).
        """
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        img, instances, skipped = self.render_bgr(rng)
        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        if return_skipped:
            return img, instances, sum(skipped.values())
        return img, instances


def image_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """Independent generator for image ``index`` of ``split``."""
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index])


def _render_one(renderer: SyntheticTextRenderer, task: Tuple) -> Tuple[Dict, Counter]:
    """Render and save one image; returns its data info and skipped words."""
    out_dir, rel_path, seed, split, index, params = task
    img, instances, skipped = renderer.render_bgr(image_rng(seed, split, index))
    if not cv2.imwrite(osp.join(out_dir, rel_path), img, params):
        raise IOError(f'failed to write {osp.join(out_dir, rel_path)}')
    info = dict(img_path=rel_path,
                height=img.shape[0],
                width=img.shape[1],
                instances=instances)
    return info, skipped


_WORKER: Dict = {}


def _init_worker(renderer_cfg: Dict):
    """Build the renderer of a worker process."""
    cv2.setNumThreads(1)
    _WORKER['renderer'] = SyntheticTextRenderer(**renderer_cfg)


def _worker_render_one(task: Tuple) -> Tuple[Dict, Counter]:
    """:func:`_render_one` with the worker's renderer."""
    return _render_one(_WORKER['renderer'], task)


def render_dataset(out_dir: str,
                   num_images: int,
                   split: str = 'train',
                   seed: int = 0,
                   img_format: str = 'jpg',
                   workers: int = 0,
                   **renderer_cfg) -> Dict:
    """Render a synthetic text dataset with MMOCR 1.x annotations.

    Writes ``out_dir/imgs/{split}/NNNNNN.{img_format}``,
    ``out_dir/textspotting_{split}.json`` and ``out_dir/textdet_{split}.json``
    (``img_path`` relative to ``out_dir``, i.e. use
    ``OCRDataset(data_root=out_dir, data_prefix=dict(img_path=''))``).
    Image ``i`` uses ``image_rng(seed, split, i)``, so the output does not
    depend on ``workers``.

    Args:
        out_dir (str): Output folder.
        num_images (int): Number of images.
        split (str): Split name. Defaults to 'train'.
        seed (int): Base random seed. Defaults to 0.
        img_format (str): 'jpg' (quality 95) or 'png'. Defaults to 'jpg'.
        workers (int): Worker processes; 0 or 1 renders in this process.
        **renderer_cfg: Arguments of :class:`SyntheticTextRenderer`.

    Returns:
        dict: Summary with ``num_images``, ``num_words``, ``num_skipped``
        (sampled words not drawn), ``skipped`` (them by reason, a dict with
        keys of :data:`SKIP_REASONS`, most frequent first), ``max_tries``,
        ``seconds``, ``images_per_sec`` and the annotation file paths.
    """
    if img_format not in ('jpg', 'png'):
        raise ValueError(f"img_format must be 'jpg' or 'png', got {img_format}")
    start = time.perf_counter()
    renderer = SyntheticTextRenderer(**renderer_cfg)  # fail early
    os.makedirs(osp.join(out_dir, 'imgs', split), exist_ok=True)
    params = ([cv2.IMWRITE_JPEG_QUALITY, 95]
              if img_format == 'jpg' else [cv2.IMWRITE_PNG_COMPRESSION, 3])
    tasks = [(out_dir, f'imgs/{split}/{i:06d}.{img_format}', seed, split, i, params)
             for i in range(num_images)]
    if workers > 1:
        # forkserver: workers fork from a clean server process that imported this
        # module once (plain fork hangs when the parent already runs OpenMP
        # threads, e.g. inside a torch program)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context('forkserver' if 'forkserver' in
                                          methods else 'spawn')
        if 'forkserver' in methods:
            ctx.set_forkserver_preload([__name__])
        with ctx.Pool(workers, _init_worker, (renderer_cfg, )) as pool:
            results = pool.map(_worker_render_one, tasks, chunksize=8)
    else:
        results = [_render_one(renderer, t) for t in tasks]
    data_list = [info for info, _ in results]
    ann_files = {}
    for task, dataset_type in (('textspotting', 'TextSpottingDataset'),
                               ('textdet', 'TextDetDataset')):
        ann = dict(metainfo=dict(dataset_type=dataset_type,
                                 task_name=task,
                                 category=[dict(id=0, name='text')]),
                   data_list=data_list)
        ann_files[task] = osp.join(out_dir, f'{task}_{split}.json')
        with open(ann_files[task], 'w', encoding='utf-8') as f:
            json.dump(ann, f, ensure_ascii=False)
    seconds = time.perf_counter() - start
    skipped = sum((s for _, s in results), Counter())
    return dict(num_images=num_images,
                num_words=sum(len(d['instances']) for d in data_list),
                num_skipped=sum(skipped.values()),
                skipped=dict(skipped.most_common()),
                max_tries=renderer.max_tries,
                seconds=seconds,
                images_per_sec=num_images / max(seconds, 1e-9),
                ann_files=ann_files)
