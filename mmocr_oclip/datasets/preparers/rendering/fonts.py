"""Fonts and words of the synthetic text renderer.

Font files (matplotlib's DejaVu fonts, a folder of fonts), cached PIL fonts, word
list and MMOCR dictionary files, and the sampling of a word (from a word list
or a random string).
"""
import functools
import os
import os.path as osp
import string
from glob import glob
from typing import List, Optional, Sequence, Tuple

import matplotlib
import numpy as np
from PIL import ImageFont

DEFAULT_CHARSET = string.ascii_letters + string.digits
_LETTERS = np.array(list(string.ascii_letters))
_DIGITS = np.array(list(string.digits))
_ALNUM = np.array(list(DEFAULT_CHARSET))
_FONT_EXTS = ('.ttf', '.otf', '.ttc')


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


def _sample_text(rng: np.random.Generator, words: Optional[Sequence[str]],
                 charset: Optional[np.ndarray], word_length: Tuple[int, int]) -> str:
    """A word from the word list or a random string.

    Args:
        rng (np.random.Generator): Random generator.
        words (Sequence[str], optional): Word list; None for random strings.
        charset (np.ndarray, optional): (n, ) characters of random strings;
            None for numbers, codes and words over ASCII letters and digits.
        word_length (tuple[int, int]): Length range of random strings.

    Returns:
        str: The word.
    """
    if words is not None:
        return words[rng.integers(len(words))]
    length = int(rng.integers(word_length[0], word_length[1] + 1))
    if charset is not None:
        return ''.join(rng.choice(charset, length))
    kind = rng.random()
    if kind < 0.1:  # numbers
        return ''.join(rng.choice(_DIGITS, length))
    if kind < 0.3:  # codes such as 'A4X7'
        return ''.join(rng.choice(_ALNUM, length)).upper()
    text = ''.join(rng.choice(_LETTERS, length))
    case = rng.choice(3, p=[0.4, 0.3, 0.3])
    return (text.lower(), text.upper(), text.capitalize())[case]
