"""Polling against a real HTTP camera on loopback: frames become crops and predictions, failures back
off and end offline, at most one poll per camera is in flight (a lease that a dead worker gives up by
expiring), and a retried or stale poll changes nothing."""

from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.utils import timezone

from vision.exceptions import PollInFlight
from vision.models import Camera, CameraStatus, Crop, Prediction
from vision.services.polling import camera_lease_claim, camera_poll, camera_poll_now, cameras_dispatch
from vision.tests.factories import CameraFactory, watched_floor
from vision.tests.support import frame_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(restaurant, camera_server):
    cam, _ = watched_floor(restaurant, source_url=camera_server.snapshot_url())
    return cam


def test_a_poll_stores_the_frame_and_each_tables_crop_and_predicts_them_in_one_batch(camera, tiny_model, settings):
    result = camera_poll_now(camera=camera)
    assert result.ok and result.frame.crops == 3 and result.frame.predictions == 3
    camera.refresh_from_db()
    assert (camera.status, camera.consecutive_failures, camera.frames_captured) == (CameraStatus.OK, 0, 1)
    assert (camera.frame_width, camera.frame_height) == (320, 240)
    assert camera.in_flight_since is None and camera.lease_token == ""
    assert camera.next_poll_at == camera.last_polled_at + timedelta(seconds=camera.poll_interval_seconds)
    crops = list(Crop.objects.filter(camera=camera))
    assert len(crops) == 3 and all((Path(settings.MEDIA_ROOT) / crop.image).is_file() for crop in crops)
    predictions = Prediction.objects.filter(camera=camera)
    assert {(p.label, round(p.confidence, 3), p.model_version) for p in predictions} == {("occupied", 0.9, "tiny@1")}
    assert {p.crop_id for p in predictions} == {crop.pk for crop in crops}
    assert (Path(settings.MEDIA_ROOT) / f"vision/frames/{camera.pk}.jpg").is_file()


def test_without_a_classifier_frames_and_crops_are_kept_but_nothing_is_predicted(camera):
    result = camera_poll_now(camera=camera)
    assert result.ok and result.frame.crops == 3 and result.frame.predictions == 0
    assert "no active classifier" in result.frame.classifier
    assert not Prediction.objects.exists()


@pytest.mark.parametrize(
    ("mode", "error"), [("error", "HTTP 500"), ("garbage", "not an image"), ("hang", "unreachable")]
)
def test_a_failing_camera_backs_off_and_goes_offline_after_n_failures(camera, camera_server, settings, mode, error):
    settings.VISION_OFFLINE_AFTER = 3
    settings.VISION_OFFLINE_POLL_SECONDS = 120
    settings.VISION_CAPTURE_TIMEOUT = 0.3
    camera_server.mode = mode
    delays = []
    for expected in [CameraStatus.DEGRADED, CameraStatus.DEGRADED, CameraStatus.OFFLINE]:
        result = camera_poll_now(camera=camera)
        camera.refresh_from_db()
        assert not result.ok and error in result.error and camera.status == expected
        delays.append((camera.next_poll_at - camera.last_polled_at).total_seconds())
    assert camera.consecutive_failures == 3 and error in camera.last_error
    interval = camera.poll_interval_seconds
    assert interval * 2 * 0.8 <= delays[0] <= interval * 2 * 1.2
    assert interval * 4 * 0.8 <= delays[1] <= interval * 4 * 1.2
    assert 120 * 0.8 <= delays[2] <= 120 * 1.2  # offline: the slow poll
    camera_server.mode = "ok"
    assert camera_poll_now(camera=camera).ok
    camera.refresh_from_db()
    assert (camera.status, camera.consecutive_failures, camera.last_error) == (CameraStatus.OK, 0, "")


def test_the_dispatcher_claims_each_due_camera_once_until_its_poll_finishes(restaurant, camera_server):
    due = watched_floor(restaurant, source_url=camera_server.snapshot_url(), name="Due")[0]
    later = CameraFactory(restaurant=restaurant, next_poll_at=timezone.now() + timedelta(minutes=5))
    CameraFactory(restaurant=restaurant, enabled=False)
    CameraFactory(restaurant=restaurant, source_type="push", source_url="")
    sent = []
    first = cameras_dispatch(enqueue=lambda pk, token: sent.append((pk, token)))
    assert [pk for pk, _ in first.claimed] == [due.pk] and sent == first.claimed
    assert cameras_dispatch(enqueue=lambda *a: None).claimed == []  # in flight: not claimed again
    camera_poll(camera_id=due.pk, token=sent[0][1])
    due.refresh_from_db()
    assert due.in_flight_since is None and due.next_poll_at > timezone.now()
    later.refresh_from_db()
    claimed = cameras_dispatch(enqueue=lambda *a: None, now=later.next_poll_at + timedelta(seconds=1)).claimed
    assert {pk for pk, _ in claimed} == {due.pk, later.pk}


def test_a_dead_workers_lease_expires_and_the_camera_is_polled_again(camera, settings):
    settings.VISION_POLL_LEASE_SECONDS = 60
    start = timezone.now()
    stale = camera_lease_claim(camera=camera, now=start)  # its worker dies here
    with pytest.raises(PollInFlight):
        camera_lease_claim(camera=camera, now=start + timedelta(seconds=59))
    claimed = cameras_dispatch(enqueue=lambda *a: None, now=start + timedelta(seconds=61)).claimed
    assert [pk for pk, _ in claimed] == [camera.pk] and claimed[0][1] != stale
    # The dead worker's task, redelivered late, finds the lease taken over and changes nothing.
    assert "lease not held" in camera_poll(camera_id=camera.pk, token=stale).skipped
    assert camera_poll(camera_id=camera.pk, token=claimed[0][1]).ok


def test_a_duplicated_poll_task_changes_nothing_twice(camera):
    token = camera_lease_claim(camera=camera)
    assert camera_poll(camera_id=camera.pk, token=token).ok
    again = camera_poll(camera_id=camera.pk, token=token)
    assert not again.ok and again.skipped
    camera.refresh_from_db()
    assert camera.frames_captured == 1 and Crop.objects.count() == 3


def test_vision_turned_off_dispatches_nothing(camera, settings):
    settings.VISION_ENABLED = False
    assert cameras_dispatch(enqueue=lambda *a: None).claimed == []


def test_a_folder_source_plays_its_frames_in_turn(restaurant, tmp_path, tiny_model):
    folder = tmp_path / "frames"
    folder.mkdir()
    for index in range(2):
        (folder / f"frame-{index}.jpg").write_bytes(frame_bytes(seed=index))
    camera, _ = watched_floor(restaurant, source_url=str(folder), source_type="file")
    for _ in range(3):
        assert camera_poll_now(camera=camera).ok
    camera.refresh_from_db()
    assert camera.frames_captured == 3
    missing = CameraFactory(restaurant=restaurant, source_type="file", source_url=str(tmp_path / "nothing"))
    assert "no such file" in camera_poll_now(camera=missing).error


def test_unlabelled_crops_beyond_the_kept_number_are_pruned_labelled_ones_stay(camera, settings):
    settings.VISION_CROPS_KEPT_PER_CAMERA = 4
    camera_poll_now(camera=camera)
    Crop.objects.filter(pk=Crop.objects.order_by("id").first().pk).update(label="dirty")
    for _ in range(3):
        camera_poll_now(camera=camera)
    assert Crop.objects.filter(label="").count() == 4 and Crop.objects.filter(label="dirty").count() == 1
    kept = {Path(settings.MEDIA_ROOT, image) for image in Crop.objects.values_list("image", flat=True)}
    on_disk = set(Path(settings.MEDIA_ROOT, f"vision/crops/{camera.pk}").iterdir())
    assert kept <= on_disk


def test_an_offline_camera_costs_the_dispatcher_no_more_queries_than_a_healthy_one(
    restaurant, camera_server, django_assert_max_num_queries
):
    for index in range(10):
        CameraFactory(restaurant=restaurant, source_url=camera_server.snapshot_url(), name=f"cam {index}")
    Camera.objects.filter(name__in=["cam 0", "cam 1"]).update(status=CameraStatus.OFFLINE, consecutive_failures=9)
    with django_assert_max_num_queries(2):
        claimed = cameras_dispatch(enqueue=lambda *a: None).claimed
    assert len(claimed) == 10


def test_the_dispatcher_enqueues_healthy_cameras_before_failing_ones(restaurant):
    failing = CameraFactory(
        restaurant=restaurant, name="A failing", status=CameraStatus.DEGRADED, consecutive_failures=3
    )
    healthy = CameraFactory(restaurant=restaurant, name="B healthy")
    order = []
    cameras_dispatch(enqueue=lambda pk, token: order.append(pk))
    assert order == [healthy.pk, failing.pk]


def test_a_stream_source_is_read_with_opencv(restaurant, tmp_path, tiny_model):
    # A short MJPG video stands in for an RTSP stream: OpenCV opens both through the same VideoCapture.
    video = tmp_path / "stream.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 240))
    for index in range(3):
        writer.write(cv2.imdecode(np.frombuffer(frame_bytes(seed=index), np.uint8), cv2.IMREAD_COLOR))
    writer.release()
    camera, _ = watched_floor(restaurant, source_url=str(video), source_type="stream")
    result = camera_poll_now(camera=camera)
    assert result.ok and result.frame.predictions == 3
    broken = CameraFactory(restaurant=restaurant, source_type="stream", source_url=str(tmp_path / "none.avi"))
    failed = camera_poll_now(camera=broken)
    assert not failed.ok and "stream" in failed.error
