"""The weekly tier job in Celery beat, present after `migrate` and editable in admin.

One beat entry, the dispatcher, ticks every 10 minutes; it starts each restaurant's job once its local
day and hour (staff.TierSettings, default Monday 04:00) have come this week. Seeded with update_or_create
on the name: running it again never wipes what an operator changed, and nothing is deleted on the way back."""

from django.db import migrations

TASK_NAME = "staff: weekly tier jobs (per restaurant, in its time zone)"
TASK = "staff.tasks.dispatch_weekly_tier_jobs"


def seed(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return  # an operator may have edited it: leave it as it is
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="*/10", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "crontab": schedule,
            "enabled": True,
            "description": "Starts each restaurant's weekly tier job at its local day and hour (staff tier settings).",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_tiers_jobs_insights"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
