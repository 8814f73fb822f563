"""Celery tasks of scheduling: thin adapters around the services."""

from celery import shared_task

from scheduling.exceptions import RunNotClaimable
from scheduling.services import schedule_run_execute


@shared_task(name="scheduling.tasks.schedule_run_task", acks_late=True)
def schedule_run_task(run_id: int) -> str:
    """Run a queued schedule run. A duplicate or redelivered message finds it claimed and does nothing."""
    try:
        run = schedule_run_execute(run_id=run_id)
    except RunNotClaimable:
        return "skipped"
    return run.status
