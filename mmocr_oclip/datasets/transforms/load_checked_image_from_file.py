"""Load an image as 3-channel uint8 BGR, refusing unusable files with a reason."""
import copy

import mmcv
import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine import fileio
from mmocr.registry import TRANSFORMS

JPEG_SOI = b'\xff\xd8\xff'
JPEG_SOS = b'\xff\xda'
JPEG_EOI = b'\xff\xd9'
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
PNG_IEND = b'IEND\xaeB`\x82'


class BadImageError(ValueError):
    """An image file that cannot be used; the message names the file.

    Args:
        path (str): the image file.
        kind (str): short category (``missing``, ``unreadable``, ``truncated``,
            ``corrupt``, ``too small``, ``too elongated``).
        detail (str): what was found.
    """

    def __init__(self, path, kind, detail):
        super().__init__(f'{path}: {kind} image: {detail}')
        self.path = path
        self.kind = kind
        self.detail = detail

    def __reduce__(self):
        return type(self), (self.path, self.kind, self.detail)


def truncation(data):
    """Why encoded JPEG/PNG bytes are truncated, or None if they look complete.

    Decoders return a partly grey image for a truncated JPEG without an error,
    so the end marker is checked: a JPEG's last end-of-image marker (0xFFD9) must
    follow its last start-of-scan marker (0xFFDA; an EXIF thumbnail has its own
    pair before the main image's), a PNG must hold its IEND chunk. Neither
    marker can occur inside entropy-coded data.

    Args:
        data (bytes): the file's bytes.

    Returns:
        str | None: the reason.
    """
    if data.startswith(JPEG_SOI):
        sos = data.rfind(JPEG_SOS)
        if sos < 0:
            return 'JPEG without image data (no start-of-scan marker 0xFFDA)'
        if data.rfind(JPEG_EOI) < sos:
            return 'JPEG without end-of-image marker 0xFFD9 (truncated file)'
    elif data.startswith(PNG_SIGNATURE) and PNG_IEND not in data[-64:]:
        return 'PNG without IEND chunk (truncated file)'
    return None


def use_checked_loading(pipeline):
    """A copy of ``pipeline`` loading images with :class:`LoadCheckedImageFromFile`.

    Tools that take a config's pipeline use it so that a bad image raises
    :class:`BadImageError` naming the file whatever the config loads with:
    every ``LoadImageFromFile`` step (MMCV's or MMOCR's) becomes
    ``LoadCheckedImageFromFile`` with its options, less those the checked
    loader refuses (``imdecode_backend``, ``ignore_empty``, a ``color_type``
    other than ``'color'``/``'color_ignore_orientation'``, which becomes
    ``'color'``, and MMOCR's ``min_size`` below 1).

    Args:
        pipeline (list[dict]): transform configs.

    Returns:
        list[dict]: the new pipeline (the configs are copied).
    """
    checked = []
    for step in pipeline:
        step = copy.deepcopy(dict(step))
        if str(step.get('type', '')).split('.')[-1] == 'LoadImageFromFile':
            step['type'] = 'LoadCheckedImageFromFile'
            step.pop('imdecode_backend', None)
            step.pop('ignore_empty', None)
            if step.get('color_type',
                        'color') not in ('color', 'color_ignore_orientation'):
                step['color_type'] = 'color'
            if step.get('min_size', 1) < 1:
                del step['min_size']
        checked.append(step)
    return checked


@TRANSFORMS.register_module()
class LoadCheckedImageFromFile(LoadImageFromFile):
    """:class:`mmcv.transforms.LoadImageFromFile` that checks what it loads.

    Always decodes with OpenCV into a 3-channel uint8 BGR image: grayscale is
    replicated into 3 channels, the alpha channel of RGBA is dropped, 16-bit
    images are scaled to 8 bits (``value >> 8``, so 65535 -> 255, nothing
    clipped). Raises :class:`BadImageError` naming the file and the reason for
    a missing or unreadable file, a truncated JPEG/PNG (see :func:`truncation`),
    bytes that do not decode, an image whose short side is below ``min_size``
    or whose long / short side ratio exceeds ``max_aspect_ratio``. Under
    :class:`OCLIPPretrainDataset` (``bad_sample='skip'``) such samples are
    skipped and counted.

    Why a ratio limit: a 10000x20 image becomes 512x1 under a keep-ratio
    ``Resize((512, 512))`` and a centre crop of 27x20 pixels (0.3% of it)
    under oCLIP's ``RandomResizedCrop(512, scale=(0.95, 1))``, whose crops fall
    back to a centre crop of ratio 4/3 above a ratio of about 1.4: in both
    cases the words of the image are not visible in what is trained on.

    Required Keys: img_path. Modified Keys: img, img_shape, ori_shape.

    Args:
        min_size (int): smallest accepted short side, in pixels. Defaults to 8.
        max_aspect_ratio (float, optional): largest accepted long / short side
            ratio; None accepts any. Defaults to 10.
        color_type (str): ``'color'`` (EXIF orientation applied) or
            ``'color_ignore_orientation'``. Defaults to ``'color'``.
        check_truncation (bool): refuse JPEG/PNG files without their end
            marker. Defaults to True.
        **kwargs: ``to_float32``, ``backend_args`` of
            :class:`~mmcv.transforms.LoadImageFromFile`.
    """

    def __init__(self,
                 min_size=8,
                 max_aspect_ratio=10.0,
                 color_type='color',
                 check_truncation=True,
                 **kwargs):
        if color_type not in ('color', 'color_ignore_orientation'):
            raise ValueError(f'color_type must be "color" or '
                             f'"color_ignore_orientation", got {color_type!r}')
        if kwargs.get('imdecode_backend', 'cv2') != 'cv2':
            raise ValueError('LoadCheckedImageFromFile decodes with cv2 only (PIL '
                             'clips 16-bit images), got imdecode_backend='
                             f'{kwargs["imdecode_backend"]!r}')
        if kwargs.get('ignore_empty'):
            raise ValueError('ignore_empty is not supported: bad images raise '
                             'BadImageError (OCLIPPretrainDataset skips them)')
        if min_size < 1:
            raise ValueError(f'min_size must be >= 1, got {min_size}')
        if max_aspect_ratio is not None and max_aspect_ratio < 1:
            raise ValueError(f'max_aspect_ratio must be >= 1, got {max_aspect_ratio}')
        super().__init__(color_type=color_type, **kwargs)
        self.min_size = min_size
        self.max_aspect_ratio = max_aspect_ratio
        self.check_truncation = check_truncation

    def _read(self, path):
        """The file's bytes."""
        try:
            if self.file_client_args is not None:
                return fileio.FileClient.infer_client(self.file_client_args,
                                                      path).get(path)
            return fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError as e:
            raise BadImageError(path, 'missing', 'no such file') from e
        except OSError as e:
            raise BadImageError(path, 'unreadable', str(e)) from e

    def transform(self, results):
        """Load, check and convert the image of ``results['img_path']``.

        Args:
            results (dict): with ``img_path``.

        Returns:
            dict: ``img`` (H, W, 3) uint8 BGR (float32 with ``to_float32``),
            ``img_shape`` and ``ori_shape`` (H, W).
        """
        path = results['img_path']
        data = self._read(path)
        if not data:
            raise BadImageError(path, 'corrupt', 'empty file')
        reason = truncation(data) if self.check_truncation else None
        if reason:
            raise BadImageError(path, 'truncated', reason)
        try:
            img = mmcv.imfrombytes(data, flag=self.color_type, backend='cv2')
        except Exception as e:  # cv2.error is not an OSError/ValueError
            raise BadImageError(path, 'corrupt', f'cannot decode: {e}') from e
        if img is None:
            raise BadImageError(path, 'corrupt',
                                f'not a decodable image ({len(data)} bytes)')
        height, width = img.shape[:2]
        if min(height, width) < self.min_size:
            raise BadImageError(
                path, 'too small', f'{width}x{height} pixels, short side below '
                f'min_size={self.min_size}')
        ratio = max(height, width) / min(height, width)
        if self.max_aspect_ratio is not None and ratio > self.max_aspect_ratio:
            raise BadImageError(
                path, 'too elongated', f'{width}x{height} pixels, aspect ratio '
                f'{ratio:.1f} above max_aspect_ratio={self.max_aspect_ratio}')
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(min_size={self.min_size}, '
                f'max_aspect_ratio={self.max_aspect_ratio}, '
                f"color_type='{self.color_type}', "
                f'check_truncation={self.check_truncation}, '
                f'to_float32={self.to_float32}, backend_args={self.backend_args})')
