"""Frames and crops on disk (under MEDIA_ROOT/vision/) and their rows.

A camera's latest frame is one file, replaced atomically, so the dashboard never shows half a frame.
Each frame's crops are kept as JPEGs with a `Crop` row: the labelling queue and the training data.
Unlabelled crops beyond the newest VISION_CROPS_KEPT_PER_CAMERA of a camera are pruned; labelled ones
stay (they are training data)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction

from vision.engine.classifier import missing_packages
from vision.engine.geometry import crop_table
from vision.engine.images import STATE_COLORS, DrawnRegion, decode_image, draw_regions, encode_jpeg
from vision.models import Camera, Crop, TableRegion
from vision.selectors import camera_regions, latest_predictions_by_table, region_box

MEDIA_SUBDIR = "vision"


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def frame_relative_path(camera_id: int) -> str:
    return f"{MEDIA_SUBDIR}/frames/{camera_id}.jpg"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def frame_store(*, camera: Camera, frame: np.ndarray) -> Path:
    path = media_path(frame_relative_path(camera.pk))
    _write_atomically(path, encode_jpeg(frame))
    return path


def frame_load(camera: Camera) -> np.ndarray | None:
    """The camera's latest stored frame, or None."""
    path = media_path(frame_relative_path(camera.pk))
    try:
        return decode_image(path.read_bytes())
    except (OSError, ValueError):
        return None


def frame_bytes(camera: Camera) -> bytes | None:
    try:
        return media_path(frame_relative_path(camera.pk)).read_bytes()
    except OSError:
        return None


@dataclass(frozen=True)
class CutCrop:
    region: TableRegion
    pixels: np.ndarray


def crops_cut(*, camera: Camera, frame: np.ndarray, regions: list[TableRegion]) -> list[CutCrop]:
    """Each region's crop of the frame (regions off the frame are skipped)."""
    cut = []
    for region in regions:
        pixels = crop_table(frame, region_box(region), camera.crop_padding, camera.deskew)
        if pixels is not None and pixels.size:
            cut.append(CutCrop(region, pixels))
    return cut


def crops_store(*, camera: Camera, cut: list[CutCrop], at: datetime) -> list[Crop]:
    """The crops' JPEGs and rows (one insert)."""
    stamp = at.strftime("%Y%m%dT%H%M%S%f")
    rows = []
    for item in cut:
        relative = f"{MEDIA_SUBDIR}/crops/{camera.pk}/{stamp}-{item.region.table_id}.jpg"
        _write_atomically(media_path(relative), encode_jpeg(item.pixels, quality=90))
        height, width = item.pixels.shape[:2]
        rows.append(
            Crop(
                camera=camera, table_id=item.region.table_id, image=relative, width=width, height=height, captured_at=at
            )
        )
    return Crop.objects.bulk_create(rows)


def crops_prune(*, camera: Camera, keep: int | None = None) -> int:
    """Delete the camera's unlabelled crops beyond the newest `keep` (files after the rows commit)."""
    keep = settings.VISION_CROPS_KEPT_PER_CAMERA if keep is None else keep
    unlabelled = Crop.objects.filter(camera=camera, label="").order_by("-captured_at", "-id")
    stale = list(unlabelled.values_list("pk", "image")[keep : keep + 1000])
    if not stale:
        return 0
    Crop.objects.filter(pk__in=[pk for pk, _ in stale]).delete()
    paths = [media_path(image) for _, image in stale]
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return len(stale)


def crop_bytes(crop: Crop) -> bytes | None:
    try:
        return media_path(crop.image).read_bytes()
    except OSError:
        return None


def frame_annotated(camera: Camera, *, with_labels: bool = True) -> bytes | None:
    """The latest frame with every region outlined and captioned (table, and the newest prediction):
    the admin's region preview and the dashboard's picture."""
    if missing_packages():  # no OpenCV in this process to draw with: the plain frame
        return frame_bytes(camera)
    frame = frame_load(camera)
    if frame is None:
        return None
    predictions = latest_predictions_by_table(camera) if with_labels else {}
    drawn = []
    for region in camera_regions(camera):
        prediction = predictions.get(region.table_id)
        caption = region.table.label
        color = (0, 200, 255)
        if prediction is not None:
            caption = f"{caption}: {prediction.label} {prediction.confidence:.0%}"
            color = STATE_COLORS.get(prediction.label, color)
        drawn.append(DrawnRegion(region_box(region), caption, color))
    return encode_jpeg(draw_regions(frame, drawn))
