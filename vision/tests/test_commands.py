"""`manage.py poll_cameras --once` and `manage.py train_table_classifier` against real cameras and a tiny
DINOv3-architecture backbone saved to the weights folder."""

import json
from io import StringIO
from pathlib import Path

import cv2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vision.engine.synth import DrawnTable, draw_frame
from vision.models import ClassifierModel, Crop
from vision.services.polling import camera_poll_now
from vision.tests.factories import CameraFactory, watched_floor
from vision.tests.support import BOXES, FRAME_H, FRAME_W, TINY_INPUT, TINY_OPTIONS, write_tiny_backbone

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_poll_cameras_once_polls_every_enabled_camera_and_prints_a_summary(restaurant, camera_server, tiny_model):
    watched_floor(restaurant, source_url=camera_server.snapshot_url(), name="Dining room")
    CameraFactory(restaurant=restaurant, name="Patio", source_url="http://127.0.0.1:9/none.jpg")
    CameraFactory(restaurant=restaurant, name="Off", enabled=False)
    out = run("poll_cameras", "--once")
    assert "Dining room" in out and "3 crops, 3 predictions" in out
    assert "Patio" in out and "unreachable" in out and "Off" not in out
    assert "Polled 2 cameras: 1 ok, 1 failed, 0 busy; 3 crops, 3 predictions" in out


def labelled_folder(root: Path, per_label: int = 4) -> Path:
    """Crops of generated tables, a folder per label."""
    for label in ("empty", "occupied", "dirty"):
        (root / label).mkdir(parents=True)
        for index in range(per_label):
            frame = draw_frame(FRAME_W, FRAME_H, [DrawnTable(box, label) for box in BOXES], seed=index)
            box = BOXES[index % len(BOXES)]
            x0, y0 = int(box.cx - box.w / 2), int(box.cy - box.h / 2)
            crop = frame[max(0, y0) : y0 + int(box.h), max(0, x0) : x0 + int(box.w)]
            cv2.imwrite(str(root / label / f"{index}.png"), crop)
    return root


def test_train_writes_a_versioned_head_and_metrics_registers_and_activates_it(weights_dir, tmp_path):
    backbone = write_tiny_backbone(weights_dir)
    data = labelled_folder(tmp_path / "data")
    args = [
        "train_table_classifier",
        "--data",
        str(data),
        "--backbone",
        str(backbone),
        "--input-size",
        str(TINY_INPUT),
        "--model-options",
        json.dumps(TINY_OPTIONS),
        "--epochs",
        "60",
        "--model-version",
        "v1",
    ]
    out = run(*args)
    model = ClassifierModel.objects.get(active=True)
    assert (model.name, model.version, model.labels) == ("table-state", "v1", ["dirty", "empty", "occupied"])
    assert model.model_options == TINY_OPTIONS and model.weights_path == "tiny-backbone.safetensors"
    head, metrics = (
        weights_dir / model.head_path,
        json.loads((weights_dir / "heads/table-state-v1.metrics.json").read_text()),
    )
    assert head.is_file() and 0 <= metrics["accuracy"] <= 1
    assert sum(map(sum, metrics["confusion_matrix"])) == metrics["samples"]["validation"] == 3
    assert "accuracy" in out and "Confusion matrix" in out and "features from cache" not in out
    # Again with the same backbone and images: the features come from the cache.
    assert "features from cache" in run(*args[:-1], "v2")
    assert list(ClassifierModel.objects.filter(active=True).values_list("version", flat=True)) == ["v2"]


def test_train_from_crops_labelled_in_the_dashboard_reuses_the_active_backbone(restaurant, camera_server, tiny_model):
    camera, _ = watched_floor(restaurant, source_url=camera_server.snapshot_url())
    for _ in range(3):
        camera_poll_now(camera=camera)
    for index, crop in enumerate(Crop.objects.order_by("id")):
        Crop.objects.filter(pk=crop.pk).update(label=["empty", "occupied", "dirty"][index % 3])
    out = run("train_table_classifier", "--from-labelled", "--epochs", "30", "--model-version", "from-dashboard")
    model = ClassifierModel.objects.get(active=True)
    assert model.version == "from-dashboard" and model.model_options == TINY_OPTIONS and "Registered" in out
    assert model.metrics["samples"]["train"] + model.metrics["samples"]["validation"] == 9


def test_train_refuses_bad_input_clearly(weights_dir, tmp_path):
    with pytest.raises(CommandError, match="not a folder"):
        run("train_table_classifier", "--data", str(tmp_path / "missing"), "--backbone", "x.safetensors")
    (tmp_path / "one" / "empty").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "one" / "empty" / "a.png"), draw_frame(20, 20, []))
    with pytest.raises(CommandError, match="at least two labels"):
        run("train_table_classifier", "--data", str(tmp_path / "one"), "--backbone", "x.safetensors")
    with pytest.raises(CommandError, match="give --backbone"):
        run("train_table_classifier", "--data", str(labelled_folder(tmp_path / "data")))
