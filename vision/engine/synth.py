"""Generated frames of a floor seen from above: the demo camera's frames, the tests' cameras, the
benchmark's input. A table's look depends on its label: empty (bare wood), occupied (guests around it,
plates in front of them) or dirty (no guests, plates, cups and stains left behind). Seeded: the same
arguments draw the same pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

try:  # the `vision` extra; a web image without it still serves the dashboard and the API's reads
    import cv2
except ImportError:  # pragma: no cover - CI installs the extra
    cv2 = None
import numpy as np

from vision.engine.geometry import RotatedBox, box_corners

LABELS = ("empty", "occupied", "dirty")


@dataclass(frozen=True)
class DrawnTable:
    box: RotatedBox
    label: str  # one of LABELS


def _point_in_box(box: RotatedBox, u: float, v: float) -> tuple[int, int]:
    """The frame pixel at (u, v) in the box's own coordinates, each from -0.5 to 0.5."""
    theta = math.radians(box.angle)
    x, y = u * box.w, v * box.h
    return (
        round(box.cx + x * math.cos(theta) - y * math.sin(theta)),
        round(box.cy + x * math.sin(theta) + y * math.cos(theta)),
    )


def draw_frame(width: int, height: int, tables: list[DrawnTable], *, seed: int = 0) -> np.ndarray:
    """A BGR frame of the tables in their states."""
    rng = np.random.default_rng(seed)
    base = np.array([150, 160, 170], dtype=np.float32) * rng.uniform(0.85, 1.15)
    frame = np.empty((height, width, 3), dtype=np.float32)
    frame[:] = base
    frame += rng.normal(0, 6, size=frame.shape).astype(np.float32)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    for table in tables:
        _draw_table(frame, table, rng)
    return frame


def _draw_table(frame: np.ndarray, table: DrawnTable, rng: np.random.Generator) -> None:
    box = table.box
    corners = np.round(box_corners(box)).astype(np.int32)
    wood = tuple(int(c) for c in np.array([40, 90, 140]) * rng.uniform(0.9, 1.1))
    cv2.fillPoly(frame, [corners], wood)
    cv2.polylines(frame, [corners], True, (25, 55, 90), 2)
    scale = max(3, round(min(box.w, box.h) / 7))
    if table.label == "occupied":
        guests = int(rng.integers(2, 5))
        for index in range(guests):
            side = -0.5 if index % 2 == 0 else 0.5
            u = (index // 2 + 0.5) / max(1, math.ceil(guests / 2)) - 0.5
            colour = tuple(int(c) for c in rng.integers(30, 230, size=3))
            cv2.circle(frame, _point_in_box(box, u, side), int(scale * 1.4), colour, -1)
            cv2.circle(frame, _point_in_box(box, u, side * 0.55), scale, (235, 235, 235), -1)
            cv2.circle(frame, _point_in_box(box, u, side * 0.55), max(1, scale // 2), (60, 120, 200), -1)
    elif table.label == "dirty":
        for _ in range(int(rng.integers(5, 9))):
            u, v = rng.uniform(-0.4, 0.4), rng.uniform(-0.35, 0.35)
            cv2.circle(frame, _point_in_box(box, u, v), int(scale * rng.uniform(0.6, 1.1)), (210, 210, 205), -1)
        for _ in range(int(rng.integers(3, 6))):
            u, v = rng.uniform(-0.4, 0.4), rng.uniform(-0.35, 0.35)
            cv2.circle(frame, _point_in_box(box, u, v), max(1, scale // 2), (20, 50, 110), -1)
    else:
        cv2.circle(frame, _point_in_box(box, 0, 0), max(2, scale // 2), (80, 160, 90), -1)


def layout_boxes(
    tables: list[tuple[float, float, float, float, float]], *, width: int, height: int, margin: float = 0.08
) -> list[RotatedBox]:
    """Map floor-plan rectangles (x, y, w, h, rotation; top-left corner, map units) into a frame of
    `width` x `height` pixels, keeping proportions, with a margin."""
    if not tables:
        return []
    x0 = min(t[0] for t in tables)
    y0 = min(t[1] for t in tables)
    x1 = max(t[0] + t[2] for t in tables)
    y1 = max(t[1] + t[3] for t in tables)
    usable_w, usable_h = width * (1 - 2 * margin), height * (1 - 2 * margin)
    scale = min(usable_w / max(1e-6, x1 - x0), usable_h / max(1e-6, y1 - y0))
    off_x = (width - (x1 - x0) * scale) / 2
    off_y = (height - (y1 - y0) * scale) / 2
    return [
        RotatedBox(
            cx=off_x + (x - x0 + w / 2) * scale,
            cy=off_y + (y - y0 + h / 2) * scale,
            w=w * scale,
            h=h * scale,
            angle=rotation,
        )
        for x, y, w, h, rotation in tables
    ]
