"""Every outbox row now belongs to an endpoint; API clients lose their webhook URL; and the beat entry that
sweeps due webhook deliveries is seeded (idempotently: created when missing, its task name repaired, an
interval or enabled flag an operator changed in admin left as it is)."""

import django.db.models.deletion
from django.db import migrations, models

TASK_NAME = "restaurant: sweep due webhook deliveries"
TASK = "restaurant.tasks.sweep_webhook_deliveries"
EVERY_SECONDS = 15


def seed(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    task, created = PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": TASK, "interval": interval, "enabled": True}
    )
    if not created and task.task != TASK:
        task.task = TASK
        task.save(update_fields=["task"])


def unseed(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("restaurant", "0002_webhook_endpoints_and_deliveries"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboxevent",
            name="endpoint",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbox_events",
                to="restaurant.webhookendpoint",
            ),
        ),
        migrations.RemoveField(model_name="apiclient", name="webhook_url"),
        migrations.RemoveField(model_name="outboxevent", name="api_client"),
        migrations.RunPython(seed, unseed),
    ]
