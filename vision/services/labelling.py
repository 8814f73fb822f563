"""People's side of the loop: labelling crops (the training data), dismissing a conflict, editing regions
and the restaurant's vision settings."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from floor.models import Table
from vision.exceptions import InvalidVisionInput, VisionError
from vision.models import Camera, Crop, TableRegion, VisionConflict, VisionSettings, default_labels
from vision.selectors import active_classifier_row, vision_settings_for


def known_labels(restaurant=None) -> list[str]:
    """Labels a person may give a crop: the active model's, then the restaurant's mapped labels."""
    row = active_classifier_row()
    labels = list(row.labels) if row else default_labels()
    if restaurant is not None:
        labels += [label for label in (vision_settings_for(restaurant).label_states or {}) if label not in labels]
    return labels


def crop_label(*, crop: Crop, label: str, user) -> Crop:
    """A person says what the crop shows (confirming the classifier or correcting it)."""
    restaurant = crop.camera.restaurant
    allowed = known_labels(restaurant)
    if label not in allowed:
        raise InvalidVisionInput("label", f"label must be one of {', '.join(allowed)}")
    Crop.objects.filter(pk=crop.pk).update(label=label, labelled_by=user, labelled_at=timezone.now())
    crop.refresh_from_db()
    return crop


def conflict_dismiss(*, conflict: VisionConflict, user) -> VisionConflict:
    """A person looked and settled it; a dismissed conflict stays dismissed (a second call changes nothing)."""
    VisionConflict.objects.filter(pk=conflict.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution="dismissed by a person", resolved_by=user
    )
    conflict.refresh_from_db()
    return conflict


def _check_region(*, camera: Camera, table: Table, width: float, height: float, center_x: float, center_y: float):
    if table.restaurant_id != camera.restaurant_id:
        raise InvalidVisionInput("table_id", "table_id: not found in the camera's restaurant")
    if width < 1 or height < 1:
        raise InvalidVisionInput("width" if width < 1 else "height", "width and height must be at least 1 pixel")
    if center_x < 0 or center_y < 0:
        raise InvalidVisionInput("center_x" if center_x < 0 else "center_y", "the centre must be inside the frame")


@transaction.atomic
def region_save(*, region: TableRegion | None = None, camera: Camera, table: Table, **box) -> TableRegion:
    """Create or update a table's region in a camera's frame (one region per camera and table)."""
    values = {
        "center_x": box.get("center_x", region.center_x if region else None),
        "center_y": box.get("center_y", region.center_y if region else None),
        "width": box.get("width", region.width if region else None),
        "height": box.get("height", region.height if region else None),
        "angle": box.get("angle", region.angle if region else 0.0),
    }
    _check_region(camera=camera, table=table, **{k: v for k, v in values.items() if k != "angle"})
    region = region or TableRegion()
    region.camera, region.table = camera, table
    for key, value in values.items():
        setattr(region, key, value)
    try:
        with transaction.atomic():
            region.save()
    except IntegrityError:
        raise VisionError(
            f"Table {table.label} already has a region in camera {camera.name}.", code="duplicate_region"
        ) from None
    return region


@transaction.atomic
def vision_settings_update(*, restaurant, **values) -> VisionSettings:
    current, _ = VisionSettings.objects.get_or_create(restaurant=restaurant)
    for key, value in values.items():
        setattr(current, key, value)
    current.full_clean()
    current.save()
    return current
