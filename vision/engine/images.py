"""Image coding and drawing with OpenCV: decode uploaded bytes, encode JPEGs, draw regions and labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

try:  # the `vision` extra; a web image without it still serves the dashboard and the API's reads
    import cv2
except ImportError:  # pragma: no cover - CI installs the extra
    cv2 = None
import numpy as np

from vision.engine.geometry import RotatedBox, box_corners


class NotAnImage(ValueError):
    """The bytes are not an image OpenCV can decode."""


def decode_image(data: bytes) -> np.ndarray:
    """BGR uint8 pixels of a JPEG/PNG/...; NotAnImage for anything else."""
    if not data:
        raise NotAnImage("the file is empty")
    pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if pixels is None or pixels.size == 0:
        raise NotAnImage("the file is not an image (JPEG, PNG, BMP, WebP...)")
    return pixels


def encode_png(pixels: np.ndarray) -> bytes:
    """Lossless (training crops)."""
    ok, buffer = cv2.imencode(".png", pixels)
    if not ok:
        raise ValueError("could not encode the image as PNG")
    return buffer.tobytes()


def encode_jpeg(pixels: np.ndarray, quality: int = 85) -> bytes:
    ok, buffer = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("could not encode the image as JPEG")
    return buffer.tobytes()


@dataclass(frozen=True)
class DrawnRegion:
    box: RotatedBox
    caption: str
    color: tuple[int, int, int] = (0, 200, 255)  # BGR


# BGR colours of the floor dashboard's state swatches, for labels that map to a state.
STATE_COLORS = {
    "available": (96, 174, 39),
    "empty": (96, 174, 39),
    "occupied": (60, 76, 231),
    "dirty": (34, 126, 230),
}


def draw_regions(frame: np.ndarray, regions: Iterable[DrawnRegion]) -> np.ndarray:
    """A copy of the frame with each rotated box outlined and captioned."""
    canvas = frame.copy()
    thickness = max(1, round(min(canvas.shape[:2]) / 240))
    for region in regions:
        corners = np.round(box_corners(region.box)).astype(np.int32)
        cv2.polylines(canvas, [corners], isClosed=True, color=region.color, thickness=thickness)
        if region.caption:
            x, y = corners[:, 0].min(), corners[:, 1].min()
            scale = 0.4 * thickness
            (tw, th), base = cv2.getTextSize(region.caption, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
            y = max(th + base, int(y))
            cv2.rectangle(canvas, (int(x), y - th - base), (int(x) + tw + 2, y), region.color, -1)
            cv2.putText(
                canvas, region.caption, (int(x) + 1, y - base), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1
            )
    return canvas
