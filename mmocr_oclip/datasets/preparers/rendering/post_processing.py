"""Image-level effects of the synthetic text renderer.

:func:`_post_process` applies smooth lighting changes, Gaussian blur, pixel
noise and JPEG artefacts to a rendered image and converts it to uint8.
"""
import cv2
import numpy as np

from .backgrounds import _smooth_noise


def _post_process(img: np.ndarray, rng: np.random.Generator, lighting: float,
                  blur: float, noise: float, jpeg_noise: float) -> np.ndarray:
    """Lighting, blur, noise and JPEG artefacts.

    Args:
        img (np.ndarray): Planar (3, H, W) float32 BGR image, modified in
            place.
        rng (np.random.Generator): Random generator.
        lighting (float): Probability of smooth illumination changes.
        blur (float): Probability of a Gaussian blur.
        noise (float): Probability of additive Gaussian pixel noise.
        jpeg_noise (float): Probability of low-quality JPEG re-compression.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR image.
    """
    h, w = img.shape[1:]
    if rng.random() < lighting:
        light = _smooth_noise(h, w, 3, rng) * rng.uniform(0.2, 0.6)
        img *= light + np.float32(rng.uniform(0.65, 1.0))
    if rng.random() < blur:
        sigma = rng.uniform(0.4, 1.3)
        for plane in img:
            cv2.GaussianBlur(plane, (0, 0), sigma, dst=plane)
    if rng.random() < noise:
        img += rng.standard_normal(
            (h, w), dtype=np.float32) * np.float32(rng.uniform(2, 9))
    img = np.clip(img + 0.5, 0, 255, out=img).astype(np.uint8)
    img = cv2.merge(list(img))
    if rng.random() < jpeg_noise:
        quality = int(rng.integers(20, 70))
        buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, quality])[1]
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return img
