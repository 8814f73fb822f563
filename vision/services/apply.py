"""Predictions into the floor: K consecutive agreeing frames above the restaurant's confidence threshold
before a table's state changes, never over a person's change of the last M minutes, and conflicts with
an open visit flagged, never applied.

The only write to the floor is `floor.services.table_states.table_state_set` with source `vision`, so a
camera's change reaches the live floor (and whatever else follows a state change) like any other, and
the floor's state machine has the last word. A retried frame changes nothing twice: the same state
again is a no-op there.

The decision reads the floor a moment before the state service locks the table; a host acting in that
moment is caught by the state machine (an illegal move is refused and recorded as not allowed), and a
person's change that lands in it is older than the camera's by a few milliseconds only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from floor.models import StateSource, Table
from floor.services.table_states import table_state_set
from restaurant.exceptions import DomainError
from vision.engine import hysteresis
from vision.models import Camera, Prediction, PredictionOutcome, VisionConflict
from vision.selectors import open_visit_ids, recent_observations, table_views, vision_settings_for

logger = logging.getLogger(__name__)


@dataclass
class ApplyResult:
    applied: int = 0
    conflicts: int = 0
    resolved: int = 0


def predictions_apply(*, camera: Camera, predictions: list[Prediction], at: datetime) -> ApplyResult:
    """Decide and act on a frame's predictions (already saved); records each prediction's outcome."""
    result = ApplyResult()
    if not predictions:
        return result
    restaurant = camera.restaurant
    config = vision_settings_for(restaurant)
    table_ids = [p.table_id for p in predictions]
    history = recent_observations(camera=camera, table_ids=table_ids, frames=config.stable_frames)
    views = table_views(restaurant=restaurant, table_ids=table_ids)
    host_override = timedelta(minutes=config.host_override_minutes)
    conflicted: dict[int, tuple[str, hysteresis.Stability]] = {}
    settled: list[int] = []
    tables = {t.pk: t for t in Table.objects.filter(pk__in=table_ids)}

    for prediction in predictions:
        view = views.get(prediction.table_id)
        if view is None:
            prediction.outcome = PredictionOutcome.NOT_ALLOWED
            continue
        stability = hysteresis.stable_label(
            history.get(prediction.table_id, []), frames=config.stable_frames, threshold=config.confidence_threshold
        )
        decision = hysteresis.decide(
            stability=stability,
            label_states=config.label_states or {},
            table=view,
            now=at,
            host_override=host_override,
            apply_enabled=config.apply_predictions,
        )
        outcome = decision.outcome
        if decision.outcome == hysteresis.APPLIED:
            try:
                table_state_set(
                    restaurant=restaurant,
                    table=tables[prediction.table_id],
                    to_state=decision.to_state,
                    source=StateSource.VISION,
                    confidence=round(stability.confidence, 4),
                    note=f"camera {camera.name}"[:200],
                    at=at,
                )
                prediction.applied = True
                result.applied += 1
            except DomainError as exc:  # the table moved meanwhile; the floor refused
                logger.info(
                    "camera %s: %s not applied to table %s: %s", camera.pk, decision.to_state, prediction.table_id, exc
                )
                outcome = hysteresis.NOT_ALLOWED
        if decision.conflict:
            conflicted[prediction.table_id] = (decision.conflict, stability)
        elif stability.label is not None:
            settled.append(prediction.table_id)
        prediction.outcome = outcome

    Prediction.objects.bulk_update(predictions, ["applied", "outcome"])
    result.conflicts = conflicts_flag(camera=camera, found=conflicted, at=at)
    result.resolved = conflicts_settle(table_ids=settled, at=at)
    return result


def conflicts_flag(*, camera: Camera, found: dict[int, tuple[str, hysteresis.Stability]], at: datetime) -> int:
    """Open (or refresh) a conflict per table; a table's other open conflict kinds are resolved."""
    if not found:
        return 0
    visits = open_visit_ids(table_ids=list(found))
    opened = 0
    for table_id, (kind, stability) in found.items():
        VisionConflict.objects.open().filter(table_id=table_id).exclude(kind=kind).update(
            resolved_at=at, resolution="camera now sees something else"
        )
        updated = (
            VisionConflict.objects.open()
            .filter(table_id=table_id, kind=kind)
            .update(last_seen_at=at, confidence=stability.confidence, seen_label=stability.label, camera=camera)
        )
        if updated:
            continue
        try:
            with transaction.atomic():
                VisionConflict.objects.create(
                    restaurant=camera.restaurant,
                    table_id=table_id,
                    camera=camera,
                    visit_id=visits.get(table_id),
                    kind=kind,
                    seen_label=stability.label,
                    confidence=stability.confidence,
                    first_seen_at=at,
                    last_seen_at=at,
                )
            opened += 1
        except IntegrityError:  # another camera opened it a moment ago: one open conflict per table and kind
            pass
    return opened


def conflicts_settle(*, table_ids: list[int], at: datetime) -> int:
    """The camera now agrees with the floor at these tables: their open conflicts are resolved."""
    if not table_ids:
        return 0
    return (
        VisionConflict.objects.open()
        .filter(table_id__in=table_ids)
        .update(resolved_at=at, resolution="camera and floor agree again")
    )
