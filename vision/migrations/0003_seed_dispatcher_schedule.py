"""The beat entry that dispatches camera polls, seeded idempotently: created when missing, its task name
and queue repaired, but an interval or enabled flag an operator changed in admin is left as it is."""

from django.db import migrations

TASK_NAME = "vision: dispatch due camera polls"
TASK = "vision.tasks.dispatch_camera_polls"
EVERY_SECONDS = 2


def seed(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    task, created = PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": TASK, "interval": interval, "queue": "vision", "enabled": True}
    )
    if not created and (task.task != TASK or task.queue != "vision"):
        task.task, task.queue = TASK, "vision"
        task.save(update_fields=["task", "queue"])


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("vision", "0002_cameras_crops_conflicts_settings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
