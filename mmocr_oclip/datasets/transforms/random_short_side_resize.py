"""Resize to a random short side, the long side bounded, sides multiples of 32."""
import math

import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.datasets.transforms import Resize
from mmocr.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomShortSideResize(BaseTransform):
    """Scale the image so that its short side is a random one of ``short_sides``.

    The ratio is kept unless the long side would exceed ``max_long_side``. The
    sides are rounded in one of two ways (``rounding``):

    - ``'authors'`` (WeCromCL's ``RandomResize``): if the long side would
      exceed ``max_long_side``, the short side becomes
      ``int(round(max_long_side * short / long))``; an image whose short side
      already has that length is left as it is; otherwise the short side
      takes it and the long side ``int(short_side * long / short)``
      (truncated), both then rounded UP to a multiple of ``size_divisor``
      (so a long side may end one step above ``max_long_side``).
    - ``'nearest'``: ratio = min(short_side / short, max_long_side / long),
      each side ``round(side * ratio)`` rounded UP to a multiple of
      ``size_divisor``: the sides are always multiples of it and at most
      ``max_long_side`` rounded up.

    The two differ only by one ``size_divisor`` step on some sizes. The resizing
    itself (image, ``gt_bboxes``, ``gt_polygons``, ``scale_factor`` = (w, h)) is
    MMOCR's ``Resize`` with that explicit size. WeCromCL pre-training uses
    ``short_sides=(640, ), max_long_side=640``; fine-tuning ``short_sides=(640,
    672, ..., 896), max_long_side=1280``.

    Required Keys:

    - img, img_shape

    Modified Keys:

    - img, img_shape, gt_bboxes, gt_polygons (those present)

    Added Keys:

    - scale, scale_factor, keep_ratio

    Args:
        short_sides (Sequence[int]): short-side lengths, one drawn uniformly
            with ``np.random`` per image. Defaults to ``(640, )``.
        max_long_side (int): longest long side before rounding. Defaults to
            1280.
        size_divisor (int): the output sides are rounded up to multiples of
            it. Defaults to 32.
        rounding (str): ``'authors'`` or ``'nearest'``, see above. Defaults to
            ``'authors'``.
        **resize_kwargs: other arguments of MMOCR's ``Resize`` (e.g.
            ``interpolation``, ``clip_object_border``).
    """

    def __init__(self,
                 short_sides=(640, ),
                 max_long_side=1280,
                 size_divisor=32,
                 rounding='authors',
                 **resize_kwargs):
        self.short_sides = tuple(int(s) for s in short_sides)
        if not self.short_sides or min(self.short_sides) < 1:
            raise ValueError(f'short_sides must be positive sizes, got {short_sides}')
        if max_long_side < 1 or size_divisor < 1:
            raise ValueError(f'max_long_side ({max_long_side}) and size_divisor '
                             f'({size_divisor}) must be >= 1')
        if rounding not in ('authors', 'nearest'):
            raise ValueError(f"rounding must be 'authors' or 'nearest', got "
                             f'{rounding!r}')
        self.max_long_side = max_long_side
        self.size_divisor = size_divisor
        self.rounding = rounding
        self.resize_kwargs = resize_kwargs

    def target_size(self, height, width, short_side):
        """The output size of an image.

        Args:
            height (int): image height.
            width (int): image width.
            short_side (int): the wanted short side.

        Returns:
            tuple[int, int]: (new_width, new_height).
        """
        div = self.size_divisor
        short, long = min(height, width), max(height, width)
        if self.rounding == 'nearest':
            ratio = min(short_side / short, self.max_long_side / long)
            return tuple(
                math.ceil(max(1, round(side * ratio)) / div) * div
                for side in (width, height))
        if long / short * short_side > self.max_long_side:
            short_side = int(round(self.max_long_side * short / long))
        if short == short_side:
            return width, height
        long_side = max(1, int(short_side * long / short))
        short_side, long_side = (math.ceil(max(1, side) / div) * div
                                 for side in (short_side, long_side))
        return (long_side, short_side) if height < width else (short_side, long_side)

    def transform(self, results):
        """Resize ``results`` (see the class docstring).

        Args:
            results (dict): result dict with ``img`` and ``img_shape``.

        Returns:
            dict: the resized results.
        """
        height, width = results['img_shape'][:2]
        short_side = self.short_sides[np.random.randint(len(self.short_sides))]
        scale = self.target_size(height, width, short_side)
        return Resize(scale=scale, keep_ratio=False, **self.resize_kwargs)(results)

    def __repr__(self):
        return (f'{self.__class__.__name__}(short_sides={self.short_sides}, '
                f'max_long_side={self.max_long_side}, '
                f'size_divisor={self.size_divisor}, rounding={self.rounding!r}, '
                f'resize_kwargs={self.resize_kwargs})')
