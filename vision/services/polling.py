"""Polling cameras: the dispatcher that beat runs every few seconds, and the poll of one camera.

At most one poll per camera is in flight. The dispatcher claims each due camera with a conditional
update (a lease: `lease_token` + `in_flight_since`) and enqueues one poll task per claimed camera; the
poll releases the lease when it finishes, and writes its outcome only while it still holds it. A worker
that dies mid-poll leaves a lease that expires after VISION_POLL_LEASE_SECONDS, so the lock survives a
restart without ever wedging a camera. A duplicated or retried task finds the lease gone (or someone
else's) and does nothing.

Failures back off exponentially with jitter; after VISION_OFFLINE_AFTER in a row the camera is offline
and tried every VISION_OFFLINE_POLL_SECONDS. One task per camera, each with a capture timeout, so an
offline camera never holds up the others."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from vision.engine.backoff import BackoffPolicy, backoff_delay, status_after
from vision.exceptions import PollInFlight
from vision.models import Camera
from vision.services.capture import CaptureError, capture_frame
from vision.services.classifier import vision_packages_require
from vision.services.predict import FrameResult, frame_process

logger = logging.getLogger(__name__)


def policy() -> BackoffPolicy:
    return BackoffPolicy(
        offline_after=settings.VISION_OFFLINE_AFTER,
        offline_interval=settings.VISION_OFFLINE_POLL_SECONDS,
        max_delay=settings.VISION_OFFLINE_POLL_SECONDS,
    )


def lease_seconds() -> float:
    return settings.VISION_POLL_LEASE_SECONDS


@dataclass
class DispatchResult:
    claimed: list[tuple[int, str]] = field(default_factory=list)  # (camera id, lease token)


def cameras_dispatch(*, enqueue: Callable[[int, str], object], now: datetime | None = None) -> DispatchResult:
    """Claim every due camera whose lease is free (two queries whatever their number), then enqueue a poll
    for each. Vision off: nothing."""
    result = DispatchResult()
    if not settings.VISION_ENABLED:
        return result
    now = now or timezone.now()
    token = uuid.uuid4().hex
    due = Camera.objects.due(now).lease_free(now, lease_seconds()).values("pk")
    Camera.objects.filter(pk__in=due).lease_free(now, lease_seconds()).update(lease_token=token, in_flight_since=now)
    # Healthy cameras first: a failing camera's poll (which may run into its timeout) never takes a worker
    # before a healthy camera claimed in the same tick has one.
    claimed = Camera.objects.filter(lease_token=token).order_by("consecutive_failures", "next_poll_at", "pk")
    result.claimed = [(pk, token) for pk in claimed.values_list("pk", flat=True)]
    for camera_id, camera_token in result.claimed:
        enqueue(camera_id, camera_token)
    return result


def camera_lease_claim(*, camera: Camera, now: datetime | None = None) -> str:
    """Claim one camera for a poll now (a manual capture, `poll_cameras --once`, a pushed frame)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        Camera.objects.filter(pk=camera.pk)
        .lease_free(now, lease_seconds())
        .update(lease_token=token, in_flight_since=now)
    )
    if not claimed:
        raise PollInFlight(
            f"A poll of camera {camera.name} is in flight; try again in a moment.", details={"camera_id": camera.pk}
        )
    return token


@dataclass
class PollResult:
    camera_id: int
    ok: bool = False
    skipped: str = ""
    status: str = ""
    error: str = ""
    frame: FrameResult | None = None


def camera_poll(*, camera_id: int, token: str, now: datetime | None = None) -> PollResult:
    """Capture, crop, predict and apply for one camera whose lease `token` holds."""
    camera = Camera.objects.select_related("restaurant").filter(pk=camera_id).first()
    if camera is None:
        return PollResult(camera_id, skipped="camera deleted")
    if camera.lease_token != token:
        return PollResult(camera_id, skipped="lease not held (already polled, or expired and taken over)")
    at = now or timezone.now()
    try:
        frame = capture_frame(camera)
    except CaptureError as exc:
        return _finish(camera, token, at=at, error=str(exc))
    return camera_frame_handle(camera=camera, token=token, frame=frame, at=at)


def camera_frame_handle(*, camera: Camera, token: str, frame: np.ndarray, at: datetime) -> PollResult:
    """Process a captured or pushed frame under the camera's lease, then release it."""
    try:
        processed = frame_process(camera=camera, frame=frame, at=at)
    except Exception as exc:
        # A bug or a storage error must not wedge the camera until its lease expires: record and release.
        logger.exception("camera %s: processing a frame failed", camera.pk)
        return _finish(camera, token, at=at, error=f"processing failed: {exc}")
    return _finish(camera, token, at=at, frame=frame, processed=processed)


def _finish(
    camera: Camera,
    token: str,
    *,
    at: datetime,
    error: str = "",
    frame: np.ndarray | None = None,
    processed: FrameResult | None = None,
) -> PollResult:
    ok = not error
    failures = 0 if ok else camera.consecutive_failures + 1
    rules = policy()
    status = status_after(failures, policy=rules)
    delay = backoff_delay(failures, interval=camera.poll_interval_seconds, policy=rules, rng=random.Random())
    updates = {
        "status": status,
        "consecutive_failures": failures,
        "last_polled_at": at,
        "next_poll_at": at + timedelta(seconds=delay),
        "in_flight_since": None,
        "lease_token": "",
    }
    if ok:
        height, width = frame.shape[:2]
        updates.update(
            last_success_at=at,
            last_error="",
            frames_captured=F("frames_captured") + 1,
            frame_width=width,
            frame_height=height,
        )
    else:
        updates["last_error"] = error[:1000]
        if failures == rules.offline_after:
            logger.warning("camera %s (%s) is offline after %s failures: %s", camera.pk, camera.name, failures, error)
    held = Camera.objects.filter(pk=camera.pk, lease_token=token).update(**updates)
    if not held:
        return PollResult(camera.pk, skipped="lease lost while polling (it expired); outcome not recorded")
    return PollResult(camera.pk, ok=ok, status=status, error=error, frame=processed)


def camera_poll_now(*, camera: Camera, now: datetime | None = None) -> PollResult:
    """Claim and poll one camera in the foreground (manual capture, `poll_cameras --once`)."""
    vision_packages_require()
    token = camera_lease_claim(camera=camera, now=now)
    return camera_poll(camera_id=camera.pk, token=token, now=now)


def camera_frame_push(*, camera: Camera, frame: np.ndarray, now: datetime | None = None) -> PollResult:
    """A frame a camera bridge pushed: processed like a polled one, under the same lease."""
    at = now or timezone.now()
    token = camera_lease_claim(camera=camera, now=at)
    return camera_frame_handle(camera=camera, token=token, frame=frame, at=at)
