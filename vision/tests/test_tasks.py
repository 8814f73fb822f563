"""The beat dispatcher and the poll task through a real Celery worker consuming the `vision` queue over
Redis, and the beat entry the migration seeds."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_beat.models import PeriodicTask

from restaurant.celery import app
from vision.models import CameraStatus, Prediction
from vision.tasks import dispatch_camera_polls
from vision.tests.factories import watched_floor


@pytest.mark.django_db
def test_the_dispatcher_runs_on_beat_every_two_seconds_on_the_vision_queue():
    task = PeriodicTask.objects.get(name="vision: dispatch due camera polls")
    assert (task.task, task.queue, task.enabled) == ("vision.tasks.dispatch_camera_polls", "vision", True)
    assert (task.interval.every, task.interval.period) == (2, "seconds")


def wait_for(condition, *, timeout: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def vision_worker(redis_url, using_postgres):
    kept = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=redis_url, task_always_eager=False, result_backend=None)
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=["vision"], loglevel="WARNING"):
        yield
    app.conf.update(kept)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_due_camera_is_polled_by_a_real_worker_after_a_dispatcher_tick(
    vision_worker, restaurant, camera_server, tiny_model
):
    camera, _ = watched_floor(restaurant, source_url=camera_server.snapshot_url())
    assert dispatch_camera_polls.apply().get() == 1  # the tick itself, here; its poll goes to the worker

    def polled():
        camera.refresh_from_db()
        return camera.status == CameraStatus.OK and camera.in_flight_since is None

    wait_for(polled, what="the worker's poll")
    assert Prediction.objects.filter(camera=camera).count() == 3
    # The camera is not due again before its interval: the next tick claims nothing.
    assert dispatch_camera_polls.apply().get() == 0
