"""Geometry of the synthetic text renderer's words.

3x3 homographies (rotation, translation, a mild perspective tilt of the text
plane) place straight words; :class:`_ArcMap` bends curved words along a
circular arc (forward for the polygons, inverse maps for ``cv2.remap``).
:func:`_straight_geometry` and :func:`_curved_geometry` sample a word's warp
and return its text (and sign plate) polygon.
"""
from typing import Optional, Tuple

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


def _sample_angle(rng: np.random.Generator, max_rotation: float) -> float:
    """In-plane rotation in degrees; scene text is often near level."""
    if rng.random() < 0.4:
        return float(np.clip(rng.normal(0, 2), -max_rotation, max_rotation))
    return float(rng.uniform(-max_rotation, max_rotation))


def _straight_geometry(box: Tuple[float, ...], plate_pad: Optional[Tuple[float, float]],
                       rng: np.random.Generator, max_rotation: float,
                       perspective: float, max_tilt: float) -> Tuple:
    """Homography (centred on the origin) and polygons of a straight word.

    Args:
        box (tuple[float]): Ink box (x0, y0, x1, y1) of the word patch.
        plate_pad (tuple[float, float], optional): Horizontal and vertical
            padding of a sign plate around the box; None for no plate.
        rng (np.random.Generator): Random generator.
        max_rotation (float): Max absolute in-plane rotation in degrees.
        perspective (float): Probability of a perspective tilt.
        max_tilt (float): Max 3D tilt in degrees.

    Returns:
        tuple: ``(mat, poly, plate)``: 3x3 homography, text polygon (4, 2)
        and plate polygon (4, 2) or None.
    """
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) - [cx, cy]
    mat = _rotation(_sample_angle(rng, max_rotation))
    if rng.random() < perspective:
        mat = mat @ _tilt_homography(corners, rng, max_tilt)
    mat = mat @ _translation(-cx, -cy)
    poly = _apply_h(mat, corners + [cx, cy])
    plate = None
    if plate_pad is not None:
        px, py = plate_pad
        plate = _apply_h(
            mat,
            np.array([[x0 - px, y0 - py], [x1 + px, y0 - py], [x1 + px, y1 + py],
                      [x0 - px, y1 + py]]))
    return mat, poly, plate


def _arc_polygon(arc: _ArcMap, x0: float, y0: float, x1: float, y1: float,
                 num_points: int) -> np.ndarray:
    """Clockwise 2N-point polygon (2N, 2) enclosing the bent box.

    ``N`` = ``num_points`` points go along the top edge, then ``N`` back
    along the bottom edge. The outer edge points are pushed out by
    ``1 / cos(dtheta / 2)`` so that its chords stay outside the arc.
    """
    n = num_points
    u = np.linspace(x0, x1, n)
    r_top, r_bot = arc.radius - (y0 - arc.vc), arc.radius - (y1 - arc.vc)
    push = 1 / np.cos((x1 - x0) / abs(arc.radius) / (n - 1) / 2)
    # the edge farther from the arc centre is the outer one
    top_push, bot_push = (push, 1.) if abs(r_top) > abs(r_bot) else (1., push)
    v_top = arc.vc + arc.radius - r_top * top_push
    v_bot = arc.vc + arc.radius - r_bot * bot_push
    top = arc.forward(u, np.full(n, v_top))
    bottom = arc.forward(u[::-1], np.full(n, v_bot))
    return np.concatenate([top, bottom])


def _curved_geometry(box: Tuple[float, ...], plate_pad: Optional[Tuple[float, float]],
                     rng: np.random.Generator, max_rotation: float, max_curve: float,
                     curve_points: int) -> Tuple:
    """Arc mapping (centred on the origin) and polygons of a curved word.

    ``box``, ``plate_pad``, ``rng`` and ``max_rotation`` are those of
    :func:`_straight_geometry`.

    Args:
        max_curve (float): Max arc angle in radians.
        curve_points (int): Points ``N`` per long edge of the polygons.

    Returns:
        tuple: ``(arc, poly, plate)``: :class:`_ArcMap`, text polygon
        (2N, 2) and plate polygon (2N, 2) or None.
    """
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    span = rng.uniform(0.3, 1) * max_curve
    radius = max(bw / span, 1.5 * bh) * rng.choice([-1, 1])
    arc = _ArcMap(((x0 + x1) / 2, (y0 + y1) / 2), radius,
                  _sample_angle(rng, max_rotation))
    poly = _arc_polygon(arc, x0, y0, x1, y1, curve_points)
    plate = None
    if plate_pad is not None:
        px, py = plate_pad
        plate = _arc_polygon(arc, x0 - px, y0 - py, x1 + px, y1 + py, curve_points)
    return arc, poly, plate
