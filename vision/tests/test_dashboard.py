"""The vision dashboard page, server side: who may open it, what it shows, and its query count."""

import pytest
from django.test import Client

from vision.models import VisionConflict
from vision.services.polling import camera_poll_now
from vision.tests.factories import CameraFactory, watched_floor
from vision.tests.support import install_tiny_model

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def setup(restaurant, camera_server):
    return watched_floor(restaurant, source_url=camera_server.snapshot_url(), name="Dining room")


def test_hosts_and_managers_see_cameras_classifier_status_and_the_queue(host_user, manager_user, setup):
    camera, tables = setup
    camera_poll_now(camera=camera)
    for user in (host_user, manager_user):
        page = logged_in(user).get("/vision/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Dining room" in html and "Classifier not configured" in html and "no active classifier" in html
        assert html.count('class="vision-crop"') == 3
        assert f"/api/v1/crops/cameras/{camera.pk}/frame?annotated=1" in html


def test_a_demo_model_is_labelled_as_a_demo(host_user, setup, weights_dir):
    install_tiny_model(weights_dir, is_demo=True)
    html = logged_in(host_user).get("/vision/").content.decode()
    assert "Demo model" in html and "Classifier not configured" not in html


def test_staff_get_403_and_another_restaurant_is_404(staff_user, host_user, outsider_user, other_restaurant, setup):
    assert logged_in(staff_user).get("/vision/").status_code == 403
    assert logged_in(host_user).get(f"/vision/?restaurant={other_restaurant.pk}").status_code == 404
    CameraFactory(restaurant=other_restaurant, name="Their camera")
    html = logged_in(outsider_user).get("/vision/").content.decode()
    assert "Their camera" in html and "Dining room" not in html
    assert Client().get("/vision/").status_code == 302


def test_the_page_reads_a_bounded_number_of_queries(host_user, setup, restaurant, django_assert_max_num_queries):
    camera, tables = setup
    for index in range(4):
        CameraFactory(restaurant=restaurant, name=f"Extra {index}")
    camera_poll_now(camera=camera)
    VisionConflict.objects.create(
        restaurant=restaurant,
        table=tables[0],
        camera=camera,
        kind="occupied_without_visit",
        seen_label="occupied",
        confidence=0.9,
    )
    client = logged_in(host_user)
    with django_assert_max_num_queries(16):
        assert client.get("/vision/").status_code == 200
