"""The synthetic text renderer: one image of words and its MMOCR instances.

:class:`SyntheticTextRenderer` samples an image size, a background and words;
each word is drawn into alpha layers (:mod:`.word_layers`), warped straight,
tilted or curved (:mod:`.geometry`), given a free place (:mod:`.placement`) and
composited in a contrasting colour (:mod:`.compositing`); the image is then
post-processed (:mod:`.post_processing`: lighting, blur, noise, JPEG artefacts).
"""
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from matplotlib import ft2font
from PIL import ImageFont

from .backgrounds import _BACKGROUNDS, _DEFAULT_STYLES, BACKGROUND_STYLES
from .compositing import _composite, _draw_plate, _roi, _warp_layers
from .fonts import (_load_font, _sample_text, default_font_files, list_font_files,
                    load_dict_chars, load_word_list)
from .geometry import _curved_geometry, _straight_geometry
from .placement import _place
from .post_processing import _post_process
from .word_layers import _draw_word

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


def _instance(poly: np.ndarray, text: str) -> Dict:
    """MMOCR 1.x instance of a word with polygon ``poly`` (n, 2)."""
    return dict(polygon=np.round(poly, 2).ravel().tolist(),
                bbox=np.round(np.concatenate([poly.min(0), poly.max(0)]), 2).tolist(),
                bbox_label=0,
                ignore=False,
                text=text)


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

    # ------------------------------------------------------------------ word
    def _font(self, idx: int, size: int) -> ImageFont.FreeTypeFont:
        """PIL font for font file ``idx`` at pixel ``size``."""
        return _load_font(self.font_files[idx], size)

    def _font_candidates(self, text: str) -> List[int]:
        """Indices of fonts having glyphs for all characters of ``text``."""
        codes = {ord(c) for c in text}
        return [i for i, cm in enumerate(self._charmaps) if codes <= cm]

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
        drawn = _draw_word(text, self._font(idx, size), rng, self.outline_ratio,
                           self.shadow_ratio)
        if drawn is None:
            return 'blank'
        layers, box, style = drawn
        plate_pad = None
        if rng.random() < self.plate_ratio:
            ph = (box[3] - box[1]) * rng.uniform(0.15, 0.5)
            plate_pad = (ph * rng.uniform(1, 2.5), ph)
        if len(text) >= 3 and rng.random() < self.curved_ratio:
            warp, poly, plate = _curved_geometry(box, plate_pad, rng, self.max_rotation,
                                                 self.max_curve, self.curve_points)
        else:
            warp, poly, plate = _straight_geometry(box, plate_pad, rng,
                                                   self.max_rotation, self.perspective,
                                                   self.max_tilt)
        region = poly if plate is None else plate
        gap = max(2, int(0.15 * (box[3] - box[1])))
        extent = np.ceil(region.max(0) - np.floor(region.min(0))).astype(int) + 1
        if extent[0] > img_w or extent[1] > img_h:
            return 'too_big'  # (_place would find no position either)
        shift = _place(region, occupied, gap, rng, self.max_tries)
        if shift is None:
            return 'no_space'
        poly += shift
        roi = _roi(poly, img_h, img_w)
        alpha = _warp_layers(layers, warp, shift, roi)
        if plate is not None:
            _draw_plate(img, plate + shift, rng)
        _composite(img, alpha, roi, style, rng)
        return _instance(poly, text)

    # ----------------------------------------------------------------- image
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
        texts = [
            _sample_text(rng, self.words, self.charset, self.word_length)
            for _ in range(num)
        ]
        occupied = np.zeros((img_h, img_w), np.uint8)
        instances, skipped = [], Counter()
        for i in np.argsort(-sizes, kind='stable'):  # big words first
            inst = self._add_word(img, occupied, texts[i], int(sizes[i]), rng)
            if isinstance(inst, str):
                skipped[inst] += 1
            else:
                instances.append(inst)
        img = _post_process(img, rng, self.lighting, self.blur, self.noise,
                            self.jpeg_noise)
        return img, instances, skipped

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
