"""Celery tasks of staff: thin adapters over staff.services.jobs.

`run_tier_job` claims its job with a conditional update, so a message delivered twice runs it once;
`dispatch_weekly_tier_jobs` is the beat entry (seeded by migration 0003, editable in admin) that starts
each restaurant's weekly job in its own time zone."""

import logging

from celery import shared_task

from staff.services.jobs import run_tier_job as run_job
from staff.services.jobs import weekly_tier_jobs_dispatch

logger = logging.getLogger(__name__)


@shared_task(name="staff.tasks.run_tier_job", ignore_result=True)
def run_tier_job(job_id: int) -> dict | None:
    result = run_job(job_id=job_id)
    if result is None:
        logger.info("tier job %s was not pending: nothing to do", job_id)
        return None
    return result.as_dict()


@shared_task(name="staff.tasks.dispatch_weekly_tier_jobs", ignore_result=True)
def dispatch_weekly_tier_jobs() -> list[int]:
    return [job.pk for job in weekly_tier_jobs_dispatch()]
