"""Geometry of the synthetic text renderer's words.

3x3 homographies (rotation, translation, a mild perspective tilt of the text
plane) place straight words; :class:`_ArcMap` bends curved words along a
circular arc (forward for the polygons, inverse maps for ``cv2.remap``).
"""
from typing import Tuple

import cv2
import numpy as np


def _grid(h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates, shapes (1, w) and (h, 1), float32."""
    x, y = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    return x[None], y[:, None]


def _apply_h(mat: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to points (n, 2) -> (n, 2)."""
    p = pts @ mat[:, :2].T + mat[:, 2]
    return p[:, :2] / p[:, 2:]


def _translation(tx: float, ty: float) -> np.ndarray:
    """3x3 translation matrix."""
    return np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=np.float64)


def _rotation(deg: float) -> np.ndarray:
    """3x3 rotation matrix about the origin."""
    a = np.deg2rad(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)


def _tilt_homography(corners: np.ndarray, rng: np.random.Generator,
                     max_tilt: float) -> np.ndarray:
    """Mild perspective: the text plane is turned in 3D and re-projected.

    Args:
        corners (np.ndarray): Box corners (4, 2) centred on the origin.
        max_tilt (float): Max yaw in degrees (pitch is 0.6 of it).

    Returns:
        np.ndarray: 3x3 homography mapping the corners to the projection.
    """
    yaw, pitch = np.deg2rad(rng.uniform(-1, 1, 2) * max_tilt * [1, 0.6])
    cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
    rot = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]]) @ np.array(
        [[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    focal = np.abs(corners).max() * rng.uniform(2, 4)
    pts3d = np.concatenate([corners, np.zeros((4, 1))], 1) @ rot.T
    proj = focal * pts3d[:, :2] / (pts3d[:, 2:] + focal)
    return cv2.getPerspectiveTransform(corners.astype(np.float32),
                                       proj.astype(np.float32)).astype(np.float64)


class _ArcMap:
    """Bend a word patch along a circular arc, then rotate and translate.

    Source (patch) point ``(u, v)`` goes to the local point at angle
    ``(u - uc) / radius`` and signed radius ``radius - (v - vc)`` around the
    centre ``(0, radius)``; positive radii bulge upwards, negative ones
    downwards. The result is rotated by ``angle`` and shifted by ``shift``.
    """

    def __init__(self, center: Tuple[float, float], radius: float, angle: float):
        self.uc, self.vc = center
        self.radius = radius
        self.rot = _rotation(angle)[:2, :2]
        self.shift = np.zeros(2)

    def forward(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Map source coordinates (n, ) to image points (n, 2)."""
        theta = (u - self.uc) / self.radius
        r = self.radius - (v - self.vc)
        local = np.stack([r * np.sin(theta), self.radius - r * np.cos(theta)], 1)
        return local @ self.rot.T + self.shift

    def inverse_maps(self, x0: int, y0: int, w: int,
                     h: int) -> Tuple[np.ndarray, np.ndarray]:
        """``cv2.remap`` maps (h, w) float32 for the image ROI at (x0, y0)."""
        x, y = _grid(h, w)
        x, y = x + np.float32(x0 - self.shift[0]), y + np.float32(y0 - self.shift[1])
        (a, b), (c, d) = self.rot.astype(np.float32)
        lx, ly = a * x + c * y, b * x + d * y  # R^T @ (p - shift)
        s = np.float32(np.sign(self.radius))
        dy = np.float32(self.radius) - ly
        r = s * np.sqrt(lx * lx + dy * dy)
        theta = np.arctan2(s * lx, s * dy)
        map_u = np.float32(self.uc) + np.float32(self.radius) * theta
        map_v = np.float32(self.vc + self.radius) - r
        return map_u.astype(np.float32), map_v.astype(np.float32)
