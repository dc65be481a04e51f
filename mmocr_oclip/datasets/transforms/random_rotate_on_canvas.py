"""Rotate an image by a random small angle onto a canvas that holds all of it."""
import math

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomRotateOnCanvas(BaseTransform):
    """WeCromCL's rotation: a random angle, an expanded canvas, black corners.

    With probability ``prob`` (drawn first, with ``np.random``), the image is
    rotated by ``angle ~ U(-max_angle, max_angle)`` degrees (``np.random``)
    about its centre onto a canvas of ``int(w |sin| + h |cos|)`` rows and
    ``int(h |sin| + w |cos|)`` columns, the rotated image centred on it (a
    sub-pixel shift), bilinear interpolation, the uncovered corners
    ``border_value``: the authors' ``RandomRotate`` (WeCromCL, ECCV 2024).
    MMOCR's ``RandomRotate(use_canvas=True)`` differs: corners filled with an
    enlarged patch of the image (or, with a fixed colour, nearest-neighbour
    interpolation) and an integer shift.

    For transcription-only training: the image alone is rotated, so results
    carrying boxes or polygons are refused.

    Required Keys:

    - img

    Modified Keys:

    - img, img_shape

    Args:
        max_angle (float): the largest rotation in degrees. Defaults to 10.
        prob (float): probability of a rotation. Defaults to 1.0 (always, as
            the authors' pre-training and fine-tuning).
        border_value (tuple[int]): colour of the corners. Defaults to black.
    """

    def __init__(self, max_angle=10, prob=1.0, border_value=(0, 0, 0)):
        if max_angle < 0 or not 0 <= prob <= 1:
            raise ValueError(f'max_angle must be >= 0 and prob in [0, 1], got '
                             f'{max_angle} and {prob}')
        self.max_angle = max_angle
        self.prob = prob
        self.border_value = tuple(border_value)

    def transform(self, results):
        """Rotate ``results['img']`` (see the class)."""
        for key in ('gt_polygons', 'gt_bboxes'):
            if len(results.get(key, ())):
                raise ValueError(f'RandomRotateOnCanvas rotates the image only; the '
                                 f'results carry {key} (use MMOCR\'s RandomRotate)')
        if np.random.random() >= self.prob:
            return results
        angle = np.random.uniform(-self.max_angle, self.max_angle)
        img = results['img']
        height, width = img.shape[:2]
        sin, cos = abs(math.sin(math.radians(angle))), abs(math.cos(
            math.radians(angle)))
        new_height = int(width * sin + height * cos)
        new_width = int(height * sin + width * cos)
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1)
        matrix[0, 2] += (new_width - width) / 2
        matrix[1, 2] += (new_height - height) / 2
        results['img'] = cv2.warpAffine(img,
                                        matrix, (new_width, new_height),
                                        borderValue=self.border_value)
        results['img_shape'] = (new_height, new_width)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'prob={self.prob}, border_value={self.border_value})')
