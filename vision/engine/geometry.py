"""Crop geometry: an axis-aligned crop around a table's rotated box, padded and clipped to the frame, or
the box cut out upright (deskewed).

A box is OpenCV's RotatedRect: centre (cx, cy), size (w, h) and an angle in degrees. Image coordinates
run right and down, so a positive angle turns the box clockwise on screen; `box_corners` gives the same
four points as `cv2.boxPoints` (the tests hold it to that)."""

from __future__ import annotations

import math
from dataclasses import dataclass

try:  # the `vision` extra; a web image without it still serves the dashboard and the API's reads
    import cv2
except ImportError:  # pragma: no cover - CI installs the extra
    cv2 = None
import numpy as np


@dataclass(frozen=True)
class RotatedBox:
    """A table's place in a frame, in pixels."""

    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0


@dataclass(frozen=True)
class Bounds:
    """A half-open pixel rectangle [x0, x1) x [y0, y1) inside a frame."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def box_corners(box: RotatedBox) -> np.ndarray:
    """The four corners (4 x 2, float) of a rotated box."""
    theta = math.radians(box.angle)
    cos, sin = math.cos(theta), math.sin(theta)
    half = np.array([[-box.w, box.h], [-box.w, -box.h], [box.w, -box.h], [box.w, box.h]], dtype=np.float64) / 2
    rotation = np.array([[cos, -sin], [sin, cos]])
    return half @ rotation.T + np.array([box.cx, box.cy])


def padded_extent(box: RotatedBox, padding: float) -> tuple[float, float, float, float]:
    """The axis-aligned extent (x0, y0, x1, y1) of the box's corners, grown by `padding` times the
    extent's width and height on each side. Not clipped."""
    corners = box_corners(box)
    x0, y0 = corners.min(axis=0)
    x1, y1 = corners.max(axis=0)
    pad_x, pad_y = (x1 - x0) * padding, (y1 - y0) * padding
    return x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y


def crop_bounds(box: RotatedBox, frame_width: int, frame_height: int, padding: float = 0.0) -> Bounds | None:
    """Whole pixels covering the padded extent, clipped to the frame; None when nothing of it is inside."""
    if padding < 0:
        raise ValueError("padding must be >= 0")
    x0, y0, x1, y1 = padded_extent(box, padding)
    bounds = Bounds(
        max(0, math.floor(x0)),
        max(0, math.floor(y0)),
        min(frame_width, math.ceil(x1)),
        min(frame_height, math.ceil(y1)),
    )
    if bounds.width <= 0 or bounds.height <= 0:
        return None
    return bounds


def crop_axis_aligned(frame: np.ndarray, box: RotatedBox, padding: float = 0.0) -> np.ndarray | None:
    """The frame's pixels inside `crop_bounds` (a copy), or None when the box is off the frame."""
    height, width = frame.shape[:2]
    bounds = crop_bounds(box, width, height, padding)
    if bounds is None:
        return None
    return frame[bounds.y0 : bounds.y1, bounds.x0 : bounds.x1].copy()


def deskewed_size(box: RotatedBox, padding: float = 0.0) -> tuple[int, int]:
    """(width, height) in pixels of an upright crop of the box with its padding."""
    return max(1, round(box.w * (1 + 2 * padding))), max(1, round(box.h * (1 + 2 * padding)))


def crop_deskewed(frame: np.ndarray, box: RotatedBox, padding: float = 0.0) -> np.ndarray | None:
    """The box turned upright: its centre at the crop's centre, its sides along the crop's, padded; what
    falls outside the frame repeats the nearest edge pixel. None when the box is entirely off the frame."""
    height, width = frame.shape[:2]
    if crop_bounds(box, width, height, padding) is None:
        return None
    out_w, out_h = deskewed_size(box, padding)
    theta = math.radians(box.angle)
    cos, sin = math.cos(theta), math.sin(theta)
    # Maps an output pixel (u, v) to the frame: rotate the offset from the crop's centre by the box's angle.
    to_frame = np.array(
        [
            [cos, -sin, box.cx - cos * out_w / 2 + sin * out_h / 2],
            [sin, cos, box.cy - sin * out_w / 2 - cos * out_h / 2],
        ]
    )
    return cv2.warpAffine(
        frame,
        to_frame,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def crop_table(frame: np.ndarray, box: RotatedBox, padding: float = 0.0, deskew: bool = False) -> np.ndarray | None:
    """One table's crop, the way its camera is set up."""
    return crop_deskewed(frame, box, padding) if deskew else crop_axis_aligned(frame, box, padding)
