"""`python manage.py poll_cameras --once`: poll every enabled camera now, in the foreground, and print a
summary. Without --once it runs the dispatcher loop itself (what beat + a worker do), for a machine
with no Celery."""

import time

from django.core.management.base import BaseCommand, CommandError

from vision.exceptions import PollInFlight
from vision.models import Camera
from vision.services.polling import camera_poll, camera_poll_now, cameras_dispatch


class Command(BaseCommand):
    help = "Poll cameras in the foreground: --once polls every enabled camera one time and prints a summary."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="poll every enabled camera once, then stop")
        parser.add_argument("--restaurant", type=int, help="only this restaurant's cameras")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between dispatcher ticks (loop)")

    def handle(self, *args, once, restaurant, interval, **options):
        if once:
            self._once(restaurant)
            return
        if interval <= 0:
            raise CommandError("--interval must be positive")
        self.stdout.write(f"Dispatching due camera polls every {interval:g} s; Ctrl-C stops.")
        try:
            while True:
                cameras_dispatch(enqueue=lambda camera_id, token: camera_poll(camera_id=camera_id, token=token))
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _once(self, restaurant):
        cameras = Camera.objects.pollable().select_related("restaurant").order_by("restaurant_id", "name")
        if restaurant is not None:
            cameras = cameras.filter(restaurant_id=restaurant)
        totals = {"ok": 0, "failed": 0, "busy": 0, "crops": 0, "predictions": 0, "applied": 0}
        for camera in cameras:
            try:
                result = camera_poll_now(camera=camera)
            except PollInFlight:
                totals["busy"] += 1
                self.stdout.write(f"  {camera.name:<32} busy: a poll is already in flight")
                continue
            if result.ok:
                frame = result.frame
                totals["ok"] += 1
                totals["crops"] += frame.crops
                totals["predictions"] += frame.predictions
                totals["applied"] += frame.applied
                note = "" if frame.classifier == "ready" else f" (no predictions: {frame.classifier})"
                self.stdout.write(
                    f"  {camera.name:<32} ok        {frame.crops} crops, {frame.predictions} predictions, "
                    f"{frame.applied} applied, {frame.conflicts} new conflicts{note}"
                )
            else:
                totals["failed"] += 1
                self.stdout.write(
                    f"  {camera.name:<32} {result.status or 'skipped':<9} {result.error or result.skipped}"
                )
        self.stdout.write(
            f"Polled {totals['ok'] + totals['failed']} cameras: {totals['ok']} ok, {totals['failed']} failed, "
            f"{totals['busy']} busy; {totals['crops']} crops, {totals['predictions']} predictions, "
            f"{totals['applied']} table changes."
        )
