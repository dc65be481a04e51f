"""SynthText ``gt.mat`` to MMOCR text-spotting JSON."""
import os.path as osp

import numpy as np
from scipy.io import loadmat
from scipy.io.matlab import MatReadError

from .json_stream import dump_ocr_json

SYNTHTEXT_KEYS = ('imnames', 'wordBB', 'txt')


def _strings(value):
    """All strings of a loaded MATLAB value (char array or nested cells)."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, np.ndarray):
        raise TypeError(f'expected strings, got {type(value).__name__}')
    if value.dtype.kind in 'US':
        return [str(v) for v in value.ravel(order='F')]
    if value.dtype == object:
        return [s for v in value.ravel(order='F') for s in _strings(v)]
    raise TypeError(f'expected strings, got an array of {value.dtype}')


def load_synthtext_gt(gt_mat):
    """Per-image cells of ``imnames``, ``wordBB`` and ``txt`` from ``gt.mat``.

    Args:
        gt_mat (str): SynthText's ``gt.mat`` (MATLAB v5); ``charBB`` is not read.

    Returns:
        dict[str, list]: the three fields, one entry per image.
    """
    try:
        mat = loadmat(gt_mat, squeeze_me=False, variable_names=SYNTHTEXT_KEYS)
    except (ValueError, TypeError, MatReadError) as e:
        raise ValueError(f'{gt_mat}: not a readable MATLAB file: {e}') from e
    missing = [key for key in SYNTHTEXT_KEYS if key not in mat]
    if missing:
        raise ValueError(f'{gt_mat}: missing field(s): {", ".join(missing)}')
    cells = {}
    for key in SYNTHTEXT_KEYS:
        if mat[key].dtype != object:
            raise ValueError(f'{gt_mat}: field {key} is not a cell array '
                             f'(dtype {mat[key].dtype})')
        cells[key] = list(mat[key].ravel(order='F'))
    sizes = {key: len(value) for key, value in cells.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f'{gt_mat}: fields have different numbers of images: '
                         f'{sizes}')
    return cells


def _word_boxes(word_bb):
    """``wordBB`` of one image as a (2, 4, N) array (MATLAB drops N = 1)."""
    word_bb = np.asarray(word_bb, dtype=np.float64)
    if word_bb.size == 0:
        return word_bb.reshape(2, 4, 0)
    if word_bb.shape == (2, 4):
        return word_bb[:, :, None]
    if word_bb.ndim == 3 and word_bb.shape[:2] == (2, 4):
        return word_bb
    raise ValueError(f'wordBB has shape {word_bb.shape}, expected (2, 4) or '
                     '(2, 4, N)')


def iter_synthtext(gt_mat, img_prefix='imgs', with_geometry=True, limit=None):
    """Data list entries of SynthText, one per image, in ``gt.mat`` order.

    The words of an image are the whitespace-separated tokens of all its ``txt``
    strings, in order; their number must equal the number of ``wordBB`` boxes.

    Args:
        gt_mat (str): SynthText's ``gt.mat``.
        img_prefix (str): prefix of ``img_path``. Defaults to ``'imgs'``.
        with_geometry (bool): add ``polygon`` (the 4 corners) and ``bbox``.
            Defaults to True.
        limit (int, optional): stop after this many images.

    Yields:
        dict: ``img_path`` and ``instances`` (``text``, ``ignore``, ``bbox_label``
        and, with geometry, ``polygon`` and ``bbox``).
    """
    cells = load_synthtext_gt(gt_mat)
    num = len(cells['imnames'])
    if limit is not None:
        num = min(num, limit)
    for i in range(num):
        try:
            names = _strings(cells['imnames'][i])
            if len(names) != 1:
                raise ValueError(f'imnames has {len(names)} strings, expected 1')
            name = names[0].strip()
            words = [w for s in _strings(cells['txt'][i]) for w in s.split()]
            boxes = _word_boxes(cells['wordBB'][i])
        except (TypeError, ValueError) as e:
            raise ValueError(f'{gt_mat}: image {i}: {e}') from e
        if boxes.shape[2] != len(words):
            raise ValueError(f'{gt_mat}: image {i} ({name}): wordBB has '
                             f'{boxes.shape[2]} boxes but txt has {len(words)} '
                             'words')
        instances = [dict(text=w, ignore=False, bbox_label=0) for w in words]
        if with_geometry:
            polygons = boxes.transpose(2, 1, 0).reshape(-1, 8)
            bboxes = np.concatenate([boxes.min(axis=1), boxes.max(axis=1)]).T
            for instance, polygon, bbox in zip(instances, polygons.tolist(),
                                               bboxes.tolist()):
                instance.update(polygon=polygon, bbox=bbox)
        yield dict(img_path=osp.join(img_prefix, name), instances=instances)


def convert_synthtext(gt_mat,
                      out_json,
                      img_prefix='imgs',
                      with_geometry=True,
                      limit=None):
    """Write SynthText's annotations as MMOCR text-spotting JSON.

    Images are never opened, so entries carry no ``height``/``width`` (MMOCR's
    loading reads the image size from the image).

    Args:
        gt_mat (str): SynthText's ``gt.mat``.
        out_json (str): output JSON path.
        img_prefix (str): prefix of ``img_path``. Defaults to ``'imgs'``.
        with_geometry (bool): write polygons and boxes. Defaults to True.
        limit (int, optional): convert the first ``limit`` images only.

    Returns:
        dict: ``images`` and ``instances`` written.
    """
    return dump_ocr_json(out_json,
                         iter_synthtext(gt_mat, img_prefix, with_geometry, limit))
