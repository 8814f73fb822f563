"""Getting one frame from a camera's source: an HTTP(S) snapshot URL, a stream read with OpenCV, or a
local image file or folder of frames (the demo camera, tests). Every way has a timeout; every failure
is a `CaptureError` with a one-line reason that the camera's status shows."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

try:  # the `vision` extra (see vision.services.classifier.vision_packages_require)
    import cv2
except ImportError:  # pragma: no cover - CI installs the extra
    cv2 = None
from django.conf import settings

from vision.engine.images import NotAnImage, decode_image
from vision.models import Camera, CameraSource

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
# A snapshot larger than this is not a camera frame: stop reading rather than fill memory.
MAX_SNAPSHOT_BYTES = 20 * 1024 * 1024


class CaptureError(Exception):
    """No frame: the reason, for the camera's last_error."""


def capture_frame(camera: Camera, *, timeout: float | None = None) -> np.ndarray:
    """One BGR frame from the camera's source."""
    timeout = settings.VISION_CAPTURE_TIMEOUT if timeout is None else timeout
    if camera.source_type == CameraSource.SNAPSHOT:
        return _snapshot(camera.source_url, timeout)
    if camera.source_type == CameraSource.STREAM:
        return _stream(camera.source_url, timeout)
    if camera.source_type == CameraSource.FILE:
        return _file(camera.source_url, camera.frames_captured)
    raise CaptureError("this camera's frames are pushed through the API; it is not polled")


def _snapshot(url: str, timeout: float) -> np.ndarray:
    if not url.startswith(("http://", "https://")):
        raise CaptureError("a snapshot source must be an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "restaurant-ops-vision/1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_SNAPSHOT_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise CaptureError(f"HTTP {exc.code} from the camera") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CaptureError(f"camera unreachable: {reason}") from exc
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise CaptureError("the snapshot is larger than 20 MB")
    try:
        return decode_image(data)
    except NotAnImage as exc:
        raise CaptureError(f"the camera answered, but {exc}") from exc


def _stream(url: str, timeout: float) -> np.ndarray:
    capture = cv2.VideoCapture()
    try:
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(timeout * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(timeout * 1000),
        ]
        if not capture.open(url, cv2.CAP_ANY, params):
            raise CaptureError("the stream would not open")
        ok, frame = capture.read()
        if not ok or frame is None:
            raise CaptureError("the stream gave no frame")
        return frame
    finally:
        capture.release()


def folder_frames(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file())


def _file(source: str, frames_captured: int) -> np.ndarray:
    """An image file, or the folder's frames in name order, one per poll, round and round."""
    path = Path(source)
    if path.is_dir():
        frames = folder_frames(path)
        if not frames:
            raise CaptureError(f"no images in {path}")
        path = frames[frames_captured % len(frames)]
    if not path.is_file():
        raise CaptureError(f"no such file: {path}")
    try:
        return decode_image(path.read_bytes())
    except (OSError, NotAnImage) as exc:
        raise CaptureError(f"cannot read {path.name}: {exc}") from exc
