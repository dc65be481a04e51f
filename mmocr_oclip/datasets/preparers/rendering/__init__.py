"""Synthetic scene-text renderer producing MMOCR 1.x annotations (offline).

Words are drawn with PIL onto procedurally generated scene-like backgrounds
(gradients, smooth noise, textures, random shapes, sign plates), warped with
OpenCV (rotation, mild perspective, circular arcs) and annotated with polygons
that enclose every drawn glyph pixel: quadrilaterals for straight words and
``2N``-point polygons (``N`` points along the top edge, then ``N`` back along
the bottom edge, clockwise) for curved words.

Everything is driven by a ``numpy.random.Generator`` so the same seed gives
byte-identical images and annotations, independently of the worker count.

Modules: :mod:`.fonts` (font files, words), :mod:`.backgrounds` (backgrounds,
colours), :mod:`.word_layers` (a word's fill, outline and shadow layers),
:mod:`.geometry` (warps of straight and curved words), :mod:`.placement` (a
free place for a word), :mod:`.compositing` (a word blended into the image),
:mod:`.post_processing` (lighting, blur, noise, JPEG), :mod:`.renderer`
(:class:`SyntheticTextRenderer`, one image) and :mod:`.writer`
(:func:`render_dataset`, a dataset on disk, optionally in worker processes).
"""
from .backgrounds import BACKGROUND_STYLES
from .fonts import (DEFAULT_CHARSET, default_font_files, list_font_files,
                    load_dict_chars, load_word_list)
from .renderer import SKIP_REASONS, SyntheticTextRenderer
from .writer import image_rng, render_dataset

__all__ = [
    'BACKGROUND_STYLES', 'DEFAULT_CHARSET', 'SKIP_REASONS', 'SyntheticTextRenderer',
    'default_font_files', 'image_rng', 'list_font_files', 'load_dict_chars',
    'load_word_list', 'render_dataset'
]
