"""The demo camera: generated frames of the demo floor's first sections, and a demo model trained at
seed time over a small random DINOv3-architecture backbone, labelled as a demo everywhere."""

from pathlib import Path

import pytest

from floor.models import Table, TableState
from floor.tests.factories import SectionFactory, TableFactory
from vision.models import Camera, ClassifierModel, Prediction
from vision.services.demo import DEMO_MODEL_NAME, FRAMES, vision_demo_ensure
from vision.services.polling import camera_poll_now
from vision.tests.support import install_tiny_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_floor(restaurant):
    for order in range(3):
        section = SectionFactory(restaurant=restaurant, sort_order=order, name=f"S{order}")
        for index in range(4):
            TableFactory(
                section=section,
                label=f"S{order}-{index}",
                x=order * 300 + (index % 2) * 100,
                y=(index // 2) * 100,
                width=70,
                height=50,
                rotation=45 if index == 3 else 0,
            )
    Table.objects.filter(label__in=["S0-0", "S0-1"]).update(state=TableState.OCCUPIED)
    Table.objects.filter(label="S1-0").update(state=TableState.DIRTY)
    return restaurant


def test_the_demo_camera_watches_the_first_two_sections_over_generated_frames(demo_floor, settings, host_api):
    demo = vision_demo_ensure(restaurant=demo_floor)
    camera = demo.camera
    assert demo.created and camera.source_type == "file"
    assert sorted(camera.regions.values_list("table__label", flat=True)) == sorted(
        f"S{s}-{i}" for s in range(2) for i in range(4)
    )
    assert len(list(Path(camera.source_url).glob("frame-*.jpg"))) == FRAMES
    model = demo.model
    assert (model.name, model.is_demo, model.active) == (DEMO_MODEL_NAME, True, True)
    assert model.version_label.endswith("-demo") and 0.5 <= model.metrics["accuracy"] <= 1
    assert (Path(settings.VISION_WEIGHTS_DIR) / model.head_path).is_file()

    result = camera_poll_now(camera=camera)
    assert result.ok and result.frame.predictions == 8
    assert set(Prediction.objects.values_list("model_version", flat=True)) == {model.version_label}
    # Shown as a demo model in the API (and the dashboard, see the browser test).
    status = host_api.get("/api/v1/ml/status").json()
    assert status["configured"] and status["demo_model"] is True


def test_seeding_again_changes_nothing_and_repairs_missing_frames(demo_floor):
    first = vision_demo_ensure(restaurant=demo_floor)
    frames = sorted(Path(first.camera.source_url).glob("*.jpg"))
    frames[0].unlink()
    again = vision_demo_ensure(restaurant=demo_floor)
    assert not again.created and again.camera == first.camera
    assert Camera.objects.count() == 1 and first.camera.regions.count() == 8
    assert ClassifierModel.objects.count() == 1
    assert frames[0].is_file() and len(list(Path(first.camera.source_url).glob("*.jpg"))) == FRAMES


def test_a_real_model_already_active_stays_active(demo_floor, weights_dir):
    real = install_tiny_model(weights_dir, version="real")
    demo = vision_demo_ensure(restaurant=demo_floor)
    real.refresh_from_db()
    assert real.active and not demo.model.active
