"""Vision admin: regions inside cameras stay within the camera's restaurant, polling state is the
poller's, the classifier registry is shared and so for superusers only."""

import pytest

from floor.tests.factories import SectionFactory, TableFactory
from restaurant.tests.admin_support import FAST_HASHERS, admin_client, admin_url, form_data, superuser_client
from vision.models import Camera, ClassifierModel, Prediction, TableRegion
from vision.services.polling import camera_poll_now
from vision.tests.factories import CameraFactory, watched_floor


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def manager(manager_user):
    return admin_client(manager_user)


def _region(table) -> dict:
    return {
        "regions-TOTAL_FORMS": "1",
        "regions-0-table": str(table.pk),
        "regions-0-center_x": "320",
        "regions-0-center_y": "240",
        "regions-0-width": "100",
        "regions-0-height": "80",
        "regions-0-angle": "10",
    }


def test_camera_regions_take_tables_of_the_cameras_restaurant_only(manager, restaurant, other_restaurant):
    camera = CameraFactory(restaurant=restaurant)
    ours = TableFactory(section=SectionFactory(restaurant=restaurant))
    theirs = TableFactory(section=SectionFactory(restaurant=other_restaurant))
    url = admin_url(Camera, "change", camera.pk)
    data = form_data(manager.get(url))

    assert manager.post(url, {**data, **_region(theirs)}).status_code == 200
    assert not TableRegion.objects.exists()

    assert manager.post(url, {**data, **_region(ours)}).status_code == 302
    assert [(region.camera, region.table) for region in TableRegion.objects.all()] == [(camera, ours)]


def test_camera_polling_state_is_shown_but_not_editable(manager, restaurant):
    camera = CameraFactory(restaurant=restaurant, status="degraded", consecutive_failures=3)
    url = admin_url(Camera, "change", camera.pk)
    page = manager.get(url)
    assert not {"status", "consecutive_failures", "next_poll_at"} & set(page.context["adminform"].form.fields)
    assert manager.post(url, form_data(page, status="ok", consecutive_failures=0, enabled="")).status_code == 302
    camera.refresh_from_db()
    assert (camera.status, camera.consecutive_failures, camera.enabled) == ("degraded", 3, False)


def test_classifier_registry_is_for_superusers_only(manager):
    ClassifierModel.objects.create(name="table-state", version="1", weights_path="ts.pt")
    assert manager.get(admin_url(ClassifierModel, "changelist")).status_code == 403
    assert manager.get(admin_url(ClassifierModel, "add")).status_code == 403
    assert superuser_client().get(admin_url(ClassifierModel, "changelist")).status_code == 200


def test_prediction_takes_the_restaurant_of_its_table(manager, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    url = admin_url(Prediction, "add")
    data = form_data(manager.get(url), table=table.pk, label="dirty", confidence="0.8", model_version="v1")
    data["probabilities"] = '{"dirty": 0.8}'
    assert manager.post(url, data).status_code == 302
    assert Prediction.objects.get().restaurant == restaurant


def test_the_camera_page_previews_the_latest_frame_with_its_regions(manager, restaurant, camera_server):
    camera, _ = watched_floor(restaurant, source_url=camera_server.snapshot_url())
    page = manager.get(admin_url(Camera, "change", camera.pk)).content.decode()
    assert "No frame yet" in page
    camera_poll_now(camera=camera)
    page = manager.get(admin_url(Camera, "change", camera.pk)).content.decode()
    preview = f"/api/v1/crops/cameras/{camera.pk}/frame?annotated=1"
    assert preview in page
    image = manager.get(preview)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
