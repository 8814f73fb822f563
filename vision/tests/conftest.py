"""Fixtures of the vision tests: media and weights in a temporary folder, a tiny model, a loopback camera."""

import pytest

from vision.services.classifier import classifier_cache_clear
from vision.tests.support import install_tiny_model, start_camera_server, stop_camera_server


@pytest.fixture(autouse=True)
def vision_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VISION_WEIGHTS_DIR = str(tmp_path / "weights")
    settings.VISION_ENABLED = True
    settings.VISION_DEVICE = "cpu"
    settings.VISION_CAPTURE_TIMEOUT = 1.0
    classifier_cache_clear()
    yield tmp_path
    classifier_cache_clear()


@pytest.fixture
def weights_dir(vision_dirs):
    folder = vision_dirs / "weights"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def tiny_model(db, weights_dir):
    """An active tiny model answering "occupied" at 0.9 (change it with support.set_head)."""
    return install_tiny_model(weights_dir, label="occupied", confidence=0.9)


@pytest.fixture
def camera_server():
    state, server = start_camera_server()
    yield state
    stop_camera_server(state, server)
