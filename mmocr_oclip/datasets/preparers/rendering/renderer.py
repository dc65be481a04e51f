"""The synthetic text renderer: one image of words and its MMOCR instances.

:class:`SyntheticTextRenderer` samples an image size, a background and words,
draws each word with PIL (fill, outline and shadow layers), warps it (straight,
tilted or curved), finds it a free place, composites it in a contrasting colour
and post-processes the image (lighting, blur, noise, JPEG artefacts).
"""
import math
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from matplotlib import ft2font
from PIL import Image, ImageDraw, ImageFont

from .backgrounds import (_BACKGROUNDS, _DEFAULT_STYLES, BACKGROUND_STYLES,
                          _contrast_color, _planes, _random_color, _smooth_noise)
from .fonts import (_ALNUM, _DIGITS, _LETTERS, _load_font, default_font_files,
                    list_font_files, load_dict_chars, load_word_list)
from .geometry import _apply_h, _ArcMap, _rotation, _tilt_homography, _translation

# why a sampled word is not drawn (render_bgr's ``skipped``), as a phrase
SKIP_REASONS = {
    'no_space': 'found no free place: every tried position overlapped the words '
    'already drawn',
    'too_long': 'were wider than the image even at the smallest font size',
    'too_big': 'were larger than the image once rotated, tilted, curved or on a plate',
    'no_font': 'have characters that no font has',
    'blank': 'draw no visible pixel',
}

SizeSpec = Union[int, Tuple[int, int]]


def _size_range(spec: SizeSpec) -> Tuple[int, int]:
    """Normalise ``int`` or ``(min, max)`` to ``(min, max)``."""
    lo, hi = (spec, spec) if np.isscalar(spec) else spec
    if not 0 < lo <= hi:
        raise ValueError(f'invalid size range {spec}')
    return int(lo), int(hi)


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
