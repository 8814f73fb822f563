"""The vision API over real authentication (sessions by persona, Api-Key by scope): the predict contract
(200/400/413/503), cameras, capture, latest crops, frames, pushes, regions, labels, history, conflicts,
and 404 for another restaurant's objects everywhere."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from floor.tests.factories import SectionFactory, TableFactory
from vision.models import Crop, TableRegion, VisionConflict
from vision.services.polling import camera_lease_claim, camera_poll_now
from vision.tests.factories import CameraFactory, watched_floor
from vision.tests.support import frame_bytes

pytestmark = pytest.mark.django_db


def image(data=None, name="table.jpg"):
    return SimpleUploadedFile(name, frame_bytes() if data is None else data, content_type="image/jpeg")


def error_code(response):
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]["code"]


@pytest.fixture
def ours(restaurant, camera_server):
    camera, tables = watched_floor(restaurant, source_url=camera_server.snapshot_url(), name="Dining room")
    return camera, tables


@pytest.fixture
def theirs(other_restaurant, camera_server):
    camera, tables = watched_floor(other_restaurant, source_url=camera_server.snapshot_url(), name="Their room")
    return camera, tables


# --- POST /api/v1/ml/predict --------------------------------------------------------------------------


def test_predict_answers_the_label_confidence_probabilities_and_model_version(host_api, tiny_model):
    response = host_api.post("/api/v1/ml/predict", {"image": image()}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["label"] == "occupied" and abs(body["confidence"] - 0.9) < 1e-4
    assert set(body["probabilities"]) == {"empty", "occupied", "dirty"}
    assert (body["model_version"], body["demo_model"]) == ("tiny@1", False)


def test_predict_refuses_a_file_that_is_not_an_image_or_no_file_with_a_400_naming_the_field(host_api, tiny_model):
    response = host_api.post("/api/v1/ml/predict", {"image": image(b"%PDF-1.4 not an image")}, format="multipart")
    assert response.status_code == 400 and error_code(response) == "not_an_image"
    assert response.json()["error"]["details"]["field"] == "image"
    response = host_api.post("/api/v1/ml/predict", {"picture": image()}, format="multipart")
    assert response.status_code == 400 and "image" in response.json()["error"]["details"]


def test_predict_refuses_a_file_too_large_with_a_413(host_api, tiny_model, settings):
    settings.VISION_MAX_UPLOAD_BYTES = 2000
    response = host_api.post("/api/v1/ml/predict", {"image": image(b"\xff" * 3000)}, format="multipart")
    assert response.status_code == 413 and error_code(response) == "too_large"
    big = image(b"\xff" * 200_000)
    response = host_api.post("/api/v1/ml/predict", {"image": big}, format="multipart")  # refused from Content-Length
    assert response.status_code == 413


def test_predict_without_a_classifier_is_a_503_saying_why(host_api, settings):
    response = host_api.post("/api/v1/ml/predict", {"image": image()}, format="multipart")
    assert response.status_code == 503 and error_code(response) == "classifier_not_configured"
    assert "no active classifier" in response.json()["error"]["message"]
    settings.VISION_ENABLED = False
    response = host_api.post("/api/v1/ml/predict", {"image": image()}, format="multipart")
    assert response.status_code == 503 and "VISION_ENABLED" in response.json()["error"]["message"]


def test_predict_takes_multipart_only(host_api, tiny_model):
    response = host_api.post("/api/v1/ml/predict", {"image": "aGVsbG8="}, format="json")
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"


def test_predict_is_for_floor_roles_and_camera_or_frontend_keys(
    api_client, staff_api, make_key_api, restaurant, tiny_model, owner_api, manager_api
):
    assert api_client.post("/api/v1/ml/predict", {"image": image()}, format="multipart").status_code == 401
    assert staff_api.post("/api/v1/ml/predict", {"image": image()}, format="multipart").status_code == 403
    pos_only = make_key_api(restaurant, scopes=["pos"], name="POS")
    assert pos_only.post("/api/v1/ml/predict", {"image": image()}, format="multipart").status_code == 403
    camera_key = make_key_api(restaurant, scopes=["camera"], name="Bridge")
    for client in (camera_key, owner_api, manager_api):
        assert client.post("/api/v1/ml/predict", {"image": image()}, format="multipart").status_code == 200


def test_classifier_status_says_configured_or_why_not(host_api, weights_dir):
    body = host_api.get("/api/v1/ml/status").json()
    assert body["configured"] is False and "no active classifier" in body["reason"]


# --- Cameras ------------------------------------------------------------------------------------------


def test_cameras_list_each_with_id_name_status_and_only_the_callers(manager_api, outsider_api, key_api, ours, theirs):
    camera = ours[0]
    for client in (manager_api, key_api):
        body = client.get("/api/v1/crops/cameras").json()
        assert [(c["id"], c["name"], c["status"]) for c in body] == [(camera.pk, "Dining room", "unknown")]
    assert [c["id"] for c in outsider_api.get("/api/v1/crops/cameras").json()] == [theirs[0].pk]
    assert manager_api.get(f"/api/v1/crops/cameras/{theirs[0].pk}").status_code == 404


def test_staff_and_keys_without_a_camera_or_frontend_scope_get_403(staff_api, make_key_api, restaurant, ours):
    assert staff_api.get("/api/v1/crops/cameras").status_code == 403
    pos_only = make_key_api(restaurant, scopes=["pos"], name="POS")
    assert pos_only.get("/api/v1/crops/cameras").status_code == 403


def test_capture_polls_now_and_latest_lists_the_new_crops_with_predictions(host_api, ours, tiny_model):
    camera, tables = ours
    response = host_api.post(f"/api/v1/crops/cameras/{camera.pk}/capture")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["status"] == "ok" and body["frame"]["crops"] == 3 and body["frame"]["predictions"] == 3
    latest = host_api.get(f"/api/v1/crops/cameras/{camera.pk}/latest").json()
    assert latest["camera"]["status"] == "ok" and latest["captured_at"]
    assert sorted(c["table_label"] for c in latest["crops"]) == ["T1", "T2", "T3"]
    assert all(c["prediction"]["label"] == "occupied" for c in latest["crops"])
    crop = latest["crops"][0]
    picture = host_api.get(crop["image_url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg" and picture.content[:2] == b"\xff\xd8"


def test_a_failed_capture_is_reported_and_counted_on_the_camera(host_api, ours, camera_server):
    camera_server.mode = "error"
    body = host_api.post(f"/api/v1/crops/cameras/{ours[0].pk}/capture").json()
    assert (body["ok"], body["status"]) == (False, "degraded") and "HTTP 500" in body["error"]


def test_capture_while_a_poll_is_in_flight_is_a_409(host_api, ours):
    camera_lease_claim(camera=ours[0])
    response = host_api.post(f"/api/v1/crops/cameras/{ours[0].pk}/capture")
    assert response.status_code == 409 and error_code(response) == "poll_in_flight"


def test_capture_is_for_floor_roles_and_camera_keys_only(
    staff_api, outsider_api, make_key_api, restaurant, ours, theirs
):
    url = f"/api/v1/crops/cameras/{ours[0].pk}/capture"
    assert staff_api.post(url).status_code == 403
    assert outsider_api.post(url).status_code == 404
    frontend = make_key_api(restaurant, scopes=["frontend"], name="Frontend")
    assert frontend.post(url).status_code == 403
    camera_key = make_key_api(restaurant, scopes=["camera"], name="Bridge")
    assert camera_key.post(url).status_code == 200
    assert camera_key.post(f"/api/v1/crops/cameras/{theirs[0].pk}/capture").status_code == 404


def test_frame_is_a_jpeg_plain_or_with_regions_drawn(host_api, ours):
    camera = ours[0]
    response = host_api.get(f"/api/v1/crops/cameras/{camera.pk}/frame")
    assert response.status_code == 404 and error_code(response) == "not_found"
    camera_poll_now(camera=camera)
    plain = host_api.get(f"/api/v1/crops/cameras/{camera.pk}/frame")
    drawn = host_api.get(f"/api/v1/crops/cameras/{camera.pk}/frame?annotated=1")
    assert plain["Content-Type"] == drawn["Content-Type"] == "image/jpeg"
    assert plain.content != drawn.content


def test_a_camera_bridge_pushes_frames_with_a_camera_key(make_key_api, host_api, restaurant, tiny_model):
    camera, _ = watched_floor(restaurant, source_type="push", source_url="", name="Bridge cam")
    bridge = make_key_api(restaurant, scopes=["camera"], name="Bridge")
    response = bridge.post(f"/api/v1/crops/cameras/{camera.pk}/frames", {"image": image()}, format="multipart")
    assert response.status_code == 200 and response.json()["frame"]["predictions"] == 3
    bad = bridge.post(f"/api/v1/crops/cameras/{camera.pk}/frames", {"image": image(b"nope")}, format="multipart")
    assert bad.status_code == 400
    assert (
        host_api.post(f"/api/v1/crops/cameras/{camera.pk}/frames", {"image": image()}, format="multipart").status_code
        == 403
    )


# --- Regions ------------------------------------------------------------------------------------------


def test_managers_create_change_and_delete_regions(manager_api, restaurant, ours):
    camera, _ = ours
    table = TableFactory(section=SectionFactory(restaurant=restaurant), label="T9")
    payload = {"camera_id": camera.pk, "table_id": table.pk, "center_x": 100, "center_y": 90, "width": 60, "height": 40}
    response = manager_api.post("/api/v1/crops/regions", payload)
    assert response.status_code == 201, response.content
    region = response.json()
    assert region["table_label"] == "T9" and region["angle"] == 0 and len(region["corners"]) == 4
    again = manager_api.post("/api/v1/crops/regions", payload)
    assert again.status_code == 409 and error_code(again) == "duplicate_region"
    changed = manager_api.patch(f"/api/v1/crops/regions/{region['id']}", {"angle": 30})
    assert changed.status_code == 200 and changed.json()["angle"] == 30
    assert TableRegion.objects.get(pk=region["id"]).angle == 30
    assert manager_api.delete(f"/api/v1/crops/regions/{region['id']}").status_code == 204
    assert not TableRegion.objects.filter(pk=region["id"]).exists()


def test_a_region_with_another_restaurants_table_or_camera_is_a_400_naming_the_field(manager_api, ours, theirs):
    camera, _ = ours
    other_camera, other_tables = theirs
    base = {"center_x": 10, "center_y": 10, "width": 10, "height": 10}
    response = manager_api.post(
        "/api/v1/crops/regions", {**base, "camera_id": camera.pk, "table_id": other_tables[0].pk}
    )
    assert response.status_code == 400 and response.json()["error"]["details"]["field"] == "table_id"
    response = manager_api.post(
        "/api/v1/crops/regions", {**base, "camera_id": other_camera.pk, "table_id": other_tables[0].pk}
    )
    assert response.status_code == 400 and response.json()["error"]["details"]["field"] == "camera_id"
    response = manager_api.post("/api/v1/crops/regions", {**base, "camera_id": camera.pk, "table_id": 1, "width": 0})
    assert response.status_code == 400 and "width" in response.json()["error"]["details"]
    assert TableRegion.objects.count() == 6


def test_regions_are_read_by_floor_roles_and_written_by_managers_only(
    host_api, key_api, outsider_api, ours, restaurant
):
    camera, _ = ours
    region = camera.regions.first()
    assert len(host_api.get(f"/api/v1/crops/regions?camera={camera.pk}").json()) == 3
    assert host_api.patch(f"/api/v1/crops/regions/{region.pk}", {"angle": 5}).status_code == 403
    assert key_api.delete(f"/api/v1/crops/regions/{region.pk}").status_code == 403
    payload = {
        "camera_id": camera.pk,
        "table_id": region.table_id,
        "center_x": 1,
        "center_y": 1,
        "width": 2,
        "height": 2,
    }
    assert host_api.post("/api/v1/crops/regions", payload).status_code == 403
    assert outsider_api.get(f"/api/v1/crops/regions/{region.pk}").status_code == 404
    assert outsider_api.delete(f"/api/v1/crops/regions/{region.pk}").status_code == 404


# --- Labels, history, conflicts ------------------------------------------------------------------------


def test_a_host_labels_crops_from_the_queue_and_the_label_is_checked(
    host_api, staff_api, outsider_api, ours, tiny_model
):
    camera_poll_now(camera=ours[0])
    queue = host_api.get("/api/v1/crops/labelling").json()
    assert len(queue) == 3 and all(item["label"] == "" for item in queue)
    crop_id = queue[0]["id"]
    bad = host_api.post(f"/api/v1/crops/{crop_id}/label", {"label": "sparkling"})
    assert bad.status_code == 400 and bad.json()["error"]["details"]["field"] == "label"
    assert staff_api.post(f"/api/v1/crops/{crop_id}/label", {"label": "dirty"}).status_code == 403
    assert outsider_api.post(f"/api/v1/crops/{crop_id}/label", {"label": "dirty"}).status_code == 404
    labelled = host_api.post(f"/api/v1/crops/{crop_id}/label", {"label": "dirty"})
    assert labelled.status_code == 200 and labelled.json()["label"] == "dirty"
    assert Crop.objects.get(pk=crop_id).labelled_by.username == "host"
    assert len(host_api.get("/api/v1/crops/labelling").json()) == 2


def test_prediction_history_of_one_table(host_api, outsider_api, ours, tiny_model):
    camera, tables = ours
    for _ in range(2):
        camera_poll_now(camera=camera)
    page = host_api.get(f"/api/v1/crops/predictions?table={tables[0].pk}").json()
    assert page["count"] == 2 and {p["table_label"] for p in page["results"]} == {"T1"}
    assert outsider_api.get(f"/api/v1/crops/predictions?table={tables[0].pk}").json()["count"] == 0
    assert host_api.get("/api/v1/crops/predictions?table=abc").status_code == 400


def test_conflicts_are_listed_and_dismissed_once(host_api, outsider_api, ours, restaurant):
    camera, tables = ours
    conflict = VisionConflict.objects.create(
        restaurant=restaurant,
        table=tables[0],
        camera=camera,
        kind="occupied_without_visit",
        seen_label="occupied",
        confidence=0.9,
    )
    listed = host_api.get("/api/v1/crops/conflicts").json()
    assert [(c["id"], c["kind"], c["table_label"]) for c in listed] == [(conflict.pk, "occupied_without_visit", "T1")]
    assert outsider_api.get("/api/v1/crops/conflicts").json() == []
    assert outsider_api.post(f"/api/v1/crops/conflicts/{conflict.pk}/dismiss").status_code == 404
    first = host_api.post(f"/api/v1/crops/conflicts/{conflict.pk}/dismiss").json()
    second = host_api.post(f"/api/v1/crops/conflicts/{conflict.pk}/dismiss").json()
    assert first["resolved_at"] == second["resolved_at"] and first["resolution"] == "dismissed by a person"
    assert host_api.get("/api/v1/crops/conflicts").json() == []
    assert len(host_api.get("/api/v1/crops/conflicts?all=1").json()) == 1


def test_list_endpoints_keep_their_query_count_flat(
    host_api, ours, tiny_model, django_assert_max_num_queries, restaurant
):
    camera, _ = ours
    for index in range(5):
        CameraFactory(restaurant=restaurant, name=f"Extra {index}")
    camera_poll_now(camera=camera)
    for url, most in [
        ("/api/v1/crops/cameras", 8),
        ("/api/v1/crops/labelling", 8),
        ("/api/v1/crops/regions", 8),
        (f"/api/v1/crops/cameras/{camera.pk}/latest", 9),
        ("/api/v1/crops/predictions", 9),
    ]:
        with django_assert_max_num_queries(most):
            assert host_api.get(url).status_code == 200
