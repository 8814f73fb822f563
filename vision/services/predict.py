"""From a frame to predictions: cut every table's crop, classify them all in one batch, record the
predictions, and hand them to the hysteresis (`vision.services.apply`). Also the upload endpoint's
single-image prediction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction

from vision.engine.classifier import ClassPrediction
from vision.engine.images import NotAnImage, decode_image
from vision.exceptions import InvalidVisionInput, UploadTooLarge
from vision.models import Camera, Prediction
from vision.selectors import camera_regions
from vision.services.apply import predictions_apply
from vision.services.classifier import (
    ClassifierStatus,
    classifier_get,
    classifier_require,
    classifier_status,
    vision_packages_require,
)
from vision.services.crops import crops_cut, crops_prune, crops_store, frame_store


@dataclass
class FrameResult:
    crops: int = 0
    predictions: int = 0
    applied: int = 0
    conflicts: int = 0
    classifier: str = ""  # "ready", or why no predictions were made


def frame_process(*, camera: Camera, frame: np.ndarray, at: datetime) -> FrameResult:
    """Store the frame and its crops, predict every crop in one batch, and apply what is stable."""
    result = FrameResult()
    frame_store(camera=camera, frame=frame)
    cut = crops_cut(camera=camera, frame=frame, regions=camera_regions(camera))
    classifier = classifier_get()
    with transaction.atomic():
        crops = crops_store(camera=camera, cut=cut, at=at)
        result.crops = len(crops)
        crops_prune(camera=camera)
    if classifier is None:
        result.classifier = classifier_status().reason
        return result
    result.classifier = "ready"
    if not cut:
        return result
    outputs = classifier.predict([item.pixels for item in cut])
    version = classifier.spec.version
    predictions = Prediction.objects.bulk_create(
        Prediction(
            restaurant_id=camera.restaurant_id,
            table_id=item.region.table_id,
            camera=camera,
            crop=crop,
            label=output.label,
            confidence=min(1.0, max(0.0, output.confidence)),
            probabilities=output.probabilities,
            model_version=version,
            captured_at=at,
        )
        for item, crop, output in zip(cut, crops, outputs, strict=True)
    )
    result.predictions = len(predictions)
    applied = predictions_apply(camera=camera, predictions=predictions, at=at)
    result.applied, result.conflicts = applied.applied, applied.conflicts
    return result


def upload_read(upload, *, field: str = "image", max_bytes: int | None = None) -> np.ndarray:
    """An uploaded file's pixels: 413 when too large, 400 naming the field when missing or not an image."""
    max_bytes = settings.VISION_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    vision_packages_require()
    if upload is None:
        raise InvalidVisionInput(field, f"{field}: send the image as a multipart file field named {field!r}")
    if upload.size > max_bytes:
        raise UploadTooLarge(field, f"{field}: {upload.size} bytes is over the {max_bytes}-byte limit")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadTooLarge(field, f"{field}: over the {max_bytes}-byte limit")
    try:
        return decode_image(data)
    except NotAnImage as exc:
        raise InvalidVisionInput(field, f"{field}: {exc}", code="not_an_image") from exc


def image_predict(*, image: np.ndarray) -> tuple[ClassPrediction, ClassifierStatus]:
    """Classify one whole image (already cropped to a table) with the active model."""
    classifier, status = classifier_require()
    return classifier.predict([image])[0], status
