"""Celery tasks of the vision app, on the `vision` queue (CELERY_TASK_ROUTES): thin adapters.

Beat runs `dispatch_camera_polls` every few seconds (the periodic task is seeded by migration
0003, editable in admin); it claims the due cameras and enqueues one `poll_camera` per camera. A poll
task is safe to run twice: it acts only while its lease token is the camera's."""

from celery import shared_task

from vision.services.polling import camera_poll, cameras_dispatch


@shared_task(name="vision.tasks.dispatch_camera_polls", ignore_result=True)
def dispatch_camera_polls() -> int:
    result = cameras_dispatch(enqueue=lambda camera_id, token: poll_camera.delay(camera_id, token))
    return len(result.claimed)


@shared_task(name="vision.tasks.poll_camera", ignore_result=True, acks_late=True)
def poll_camera(camera_id: int, token: str) -> dict:
    result = camera_poll(camera_id=camera_id, token=token)
    return {"camera_id": camera_id, "ok": result.ok, "status": result.status, "skipped": result.skipped}
