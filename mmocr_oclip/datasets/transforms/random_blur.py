"""WeCromCL's ``RandomBlur``: one of five blurs, computed as imgaug 0.4.0 does.

The authors' augmentation calls imgaug's ``GaussianBlur``, ``AverageBlur``,
``MedianBlur``, ``BilateralBlur`` and ``MotionBlur``. imgaug is unmaintained,
so each filter is re-implemented here with the OpenCV call imgaug makes, so
that a uint8 image blurred with the same parameter value is equal bit for bit
(checked against imgaug 0.4.0 for every kernel size 3..9 and a grid of sigmas).
"""
import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS

BLUR_METHODS = ('gaussian', 'average', 'median', 'bilateral', 'motion')

# sigmas up to this value leave the image unchanged (imgaug's ``eps``)
GAUSSIAN_EPS = 1e-3


def _keep_shape(out, img):
    """Re-add the channel axis OpenCV drops from an (H, W, 1) image."""
    return out.reshape(img.shape)


def _odd(k):
    """``k`` if it is odd, else ``k + 1`` (imgaug's rule for these kernels)."""
    return k if k % 2 else k + 1


def gaussian_kernel_size(sigma):
    """The side of imgaug's Gaussian kernel for ``sigma``.

    About 3.3 sigma (2.9 sigma from sigma 3, 2.6 sigma from sigma 5), truncated
    to an integer, at least 5, made odd by adding 1.

    Args:
        sigma (float): standard deviation of the Gaussian.

    Returns:
        int: the odd kernel side.
    """
    sigma = float(sigma)
    factor = 3.3 if sigma < 3.0 else 2.9 if sigma < 5.0 else 2.6
    return _odd(int(max(factor * sigma, 5)))


def gaussian_blur(img, sigma):
    """Gaussian blur as imgaug's ``GaussianBlur(sigma=sigma)``.

    ``cv2.GaussianBlur`` with the square kernel of :func:`gaussian_kernel_size`,
    ``sigmaX = sigmaY = sigma`` and ``BORDER_REFLECT_101``; a no-op for
    ``sigma <= GAUSSIAN_EPS``.

    Args:
        img (np.ndarray): (H, W) or (H, W, C) image.
        sigma (float): standard deviation of the Gaussian.

    Returns:
        np.ndarray: the blurred image, same shape and dtype.
    """
    if sigma <= GAUSSIAN_EPS:
        return img
    ksize = gaussian_kernel_size(sigma)
    out = cv2.GaussianBlur(np.ascontiguousarray(img), (ksize, ksize),
                           sigmaX=float(sigma),
                           sigmaY=float(sigma),
                           borderType=cv2.BORDER_REFLECT_101)
    return _keep_shape(out, img)


def average_blur(img, k):
    """Box (mean) filter as imgaug's ``AverageBlur(k=k)``.

    ``cv2.blur`` with a ``k`` x ``k`` kernel (even ``k`` included, anchor at the
    kernel centre) and OpenCV's default border ``BORDER_REFLECT_101``.

    Args:
        img (np.ndarray): (H, W) or (H, W, C) image.
        k (int): kernel side.

    Returns:
        np.ndarray: the blurred image, same shape and dtype.
    """
    out = cv2.blur(np.ascontiguousarray(img), (int(k), int(k)))
    return _keep_shape(out, img)


def median_blur(img, k):
    """Median filter as imgaug's ``MedianBlur(k=k)``.

    ``cv2.medianBlur`` with aperture ``k``, an even ``k`` raised to ``k + 1``
    (OpenCV's median filter replicates the border pixels).

    Args:
        img (np.ndarray): (H, W) or (H, W, C) uint8 image.
        k (int): aperture side.

    Returns:
        np.ndarray: the filtered image, same shape and dtype.
    """
    out = cv2.medianBlur(np.ascontiguousarray(img), _odd(int(k)))
    return _keep_shape(out, img)


def bilateral_blur(img, d, sigma_color=250, sigma_space=250):
    """Bilateral filter as imgaug's ``BilateralBlur(d, sigma_color, sigma_space)``.

    ``cv2.bilateralFilter(img, d, sigma_color, sigma_space)`` (neighbourhood
    radius ``d // 2``, so an even ``d`` filters as ``d + 1``; default border
    ``BORDER_REFLECT_101``). imgaug accepts only 3-channel images; OpenCV also
    filters 1-channel ones.

    Args:
        img (np.ndarray): (H, W), (H, W, 1) or (H, W, 3) image.
        d (int): neighbourhood diameter.
        sigma_color (float): filter sigma in the colour space.
        sigma_space (float): filter sigma in the coordinate space.

    Returns:
        np.ndarray: the filtered image, same shape and dtype.
    """
    out = cv2.bilateralFilter(np.ascontiguousarray(img), int(d), float(sigma_color),
                              float(sigma_space))
    return _keep_shape(out, img)


def motion_blur_kernel(k):
    """imgaug's ``MotionBlur`` kernel for ``angle=0, direction=0``.

    A ``k`` x ``k`` float32 matrix (even ``k`` raised to ``k + 1``) that is zero
    except its centre column, whose entries are all equal and sum to 1: a
    vertical line (angle 0 points up), i.e. a mean over ``k`` rows. The entry is
    computed in float32 the way imgaug gets it (``127 / 255`` over the column
    sum), e.g. ``0.33333334`` for ``k = 3``.

    Args:
        k (int): kernel side.

    Returns:
        np.ndarray: the (k', k') float32 kernel, ``k'`` odd.
    """
    k = _odd(int(k))
    kernel = np.zeros((k, k), dtype=np.float32)
    kernel[:, k // 2] = np.float32(127) / np.float32(255)
    return kernel / kernel.sum(dtype=np.float32)


def motion_blur(img, k):
    """Motion blur as imgaug's ``MotionBlur(k=k, angle=0, direction=0.0)``.

    ``cv2.filter2D`` (output depth of the input, default border
    ``BORDER_REFLECT_101``) with :func:`motion_blur_kernel`, the same kernel
    for every channel.

    Args:
        img (np.ndarray): (H, W) or (H, W, C) image.
        k (int): kernel side.

    Returns:
        np.ndarray: the blurred image, same shape and dtype.
    """
    out = cv2.filter2D(np.ascontiguousarray(img), -1, motion_blur_kernel(k))
    return _keep_shape(out, img)


@TRANSFORMS.register_module()
class RandomBlur(BaseTransform):
    """With probability ``prob``, blur the image with one random method.

    WeCromCL's ``RandomBlur`` (imgaug 0.4.0 blurs). Draws with numpy's global
    RNG, in the authors' order: ``np.random.random() < prob``, then the method
    ``np.random.choice(methods)``, then its parameter, distributed as imgaug
    draws it (the stream of draws is not imgaug's, the image for a given
    parameter is):

    - ``'gaussian'``: ``sigma = float32(np.random.uniform(*sigma))``, then
      :func:`gaussian_blur` (a no-op for ``sigma <= 1e-3``).
    - ``'average'``: ``k = np.random.randint(lo, hi + 1)`` from
      ``kernel_size``, then :func:`average_blur` (even ``k`` are used as
      they are).
    - ``'median'``: ``k`` drawn likewise, then :func:`median_blur` (even ``k``
      become ``k + 1``: for ``(3, 9)`` sizes 3, 5, 7, 9 have probabilities
      1/7, 2/7, 2/7, 2/7).
    - ``'bilateral'``: ``d`` drawn likewise, then :func:`bilateral_blur` with
      ``bilateral_sigma_color`` and ``bilateral_sigma_space`` (an even ``d``
      filters as ``d + 1``).
    - ``'motion'``: ``k`` drawn likewise, then :func:`motion_blur` (angle 0,
      direction 0: a vertical mean over ``k`` rows, even ``k`` become
      ``k + 1``).

    Required Keys:

    - img ((H, W) or (H, W, C) uint8; the filters treat channels alike, so the
      channel order does not matter)

    Modified Keys:

    - img (same shape and dtype)

    Args:
        prob (float): probability of blurring an image. Defaults to 0.1.
        methods (Sequence[str]): the methods to choose from, uniformly; any of
            ``'gaussian'``, ``'average'``, ``'median'``, ``'bilateral'``,
            ``'motion'``. Defaults to all five.
        sigma (tuple[float, float]): range of the Gaussian sigma. Defaults to
            ``(0.0, 3.0)``.
        kernel_size (tuple[int, int]): inclusive range of the kernel side
            ``k`` (average, median, motion) and of the bilateral diameter
            ``d``. Defaults to ``(3, 9)``.
        bilateral_sigma_color (float): bilateral sigma in the colour space.
            Defaults to 250.
        bilateral_sigma_space (float): bilateral sigma in the coordinate space.
            Defaults to 250.
    """

    def __init__(self,
                 prob=0.1,
                 methods=BLUR_METHODS,
                 sigma=(0.0, 3.0),
                 kernel_size=(3, 9),
                 bilateral_sigma_color=250,
                 bilateral_sigma_space=250):
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        if isinstance(methods, str) or not methods:
            raise ValueError(f'methods must be a non-empty sequence of names, got '
                             f'{methods!r}')
        unknown = [m for m in methods if m not in BLUR_METHODS]
        if unknown:
            raise ValueError(f'unknown blur methods {unknown}, expected some of '
                             f'{BLUR_METHODS}')
        if len(sigma) != 2 or not 0 <= sigma[0] <= sigma[1]:
            raise ValueError(f'sigma must be a range (low, high) with 0 <= low <= '
                             f'high, got {sigma}')
        if (len(kernel_size) != 2
                or not all(isinstance(k, (int, np.integer)) for k in kernel_size)
                or not 3 <= kernel_size[0] <= kernel_size[1]):
            raise ValueError(f'kernel_size must be an integer range (low, high) '
                             f'with 3 <= low <= high, got {kernel_size}')
        if bilateral_sigma_color <= 0 or bilateral_sigma_space <= 0:
            raise ValueError(f'bilateral sigmas must be > 0, got '
                             f'{bilateral_sigma_color}, {bilateral_sigma_space}')
        self.prob = prob
        self.methods = tuple(methods)
        self.sigma = tuple(sigma)
        self.kernel_size = tuple(int(k) for k in kernel_size)
        self.bilateral_sigma_color = bilateral_sigma_color
        self.bilateral_sigma_space = bilateral_sigma_space

    def blur(self, img, method):
        """Blur ``img`` with ``method``, drawing its parameter.

        Args:
            img (np.ndarray): (H, W) or (H, W, C) image.
            method (str): one of :data:`BLUR_METHODS`.

        Returns:
            np.ndarray: the blurred image.
        """
        if method == 'gaussian':
            return gaussian_blur(img, np.float32(np.random.uniform(*self.sigma)))
        k = np.random.randint(self.kernel_size[0], self.kernel_size[1] + 1)
        if method == 'average':
            return average_blur(img, k)
        if method == 'median':
            return median_blur(img, k)
        if method == 'bilateral':
            return bilateral_blur(img, k, self.bilateral_sigma_color,
                                  self.bilateral_sigma_space)
        return motion_blur(img, k)

    def transform(self, results):
        """Blur ``results['img']`` with probability ``prob``.

        Args:
            results (dict): result dict with ``img``.

        Returns:
            dict: the results, ``img`` possibly blurred.
        """
        if np.random.random() < self.prob:
            method = np.random.choice(self.methods)
            results['img'] = self.blur(results['img'], method)
        return results

    def __repr__(self):
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'methods={self.methods}, sigma={self.sigma}, '
                f'kernel_size={self.kernel_size}, '
                f'bilateral_sigma_color={self.bilateral_sigma_color}, '
                f'bilateral_sigma_space={self.bilateral_sigma_space})')
