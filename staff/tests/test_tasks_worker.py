"""The tier job through a real Celery worker on Redis: the API's 202 job is run by the worker to done, a
message delivered twice runs the job once, and the beat entry's task starts and runs the weekly job."""

import time

import pytest

from restaurant.celery import app
from staff.models import StaffMember, TierHistory, TierJob, TierJobStatus, TierJobTrigger
from staff.services.jobs import RUN_TASK
from staff.services.metrics import period_end_for
from staff.tests.performance_setup import synthetic_team

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_for(condition, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def queue_length(name: str) -> int:
    with app.connection_for_read() as connection:
        return connection.default_channel.client.llen(name)


def job_status(pk):
    return TierJob.objects.get(pk=pk).status


def test_the_api_job_runs_on_the_worker_to_done(restaurant, manager_api, worker):
    synthetic_team(restaurant, servers=6, days=20, end=period_end_for(restaurant))
    response = manager_api.post(f"/api/v1/restaurants/{restaurant.pk}/recalculate-tiers")
    assert response.status_code == 202
    job_id = response.json()["id"]
    wait_for(lambda: job_status(job_id) in (TierJobStatus.DONE, TierJobStatus.FAILED), "the job to finish")
    job = TierJob.objects.get(pk=job_id)
    assert job.status == TierJobStatus.DONE, job.error
    assert job.result["staff_scored"] == 6 and job.progress_done == job.progress_total > 0
    assert StaffMember.objects.filter(restaurant=restaurant, tier_score__isnull=False).count() == 6
    polled = manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/tier-jobs/{job_id}").json()
    assert polled["status"] == "done" and polled["percent"] == 100


def test_a_message_delivered_twice_runs_the_job_once(restaurant, worker):
    synthetic_team(restaurant, servers=4, days=10, end=period_end_for(restaurant))
    job = TierJob.objects.create(restaurant=restaurant, period_end=period_end_for(restaurant))
    app.send_task(RUN_TASK, args=[job.pk])
    app.send_task(RUN_TASK, args=[job.pk])
    wait_for(lambda: job_status(job.pk) == TierJobStatus.DONE, "the job to finish")
    # The second message is consumed after the first (one solo worker): wait for an empty queue.
    wait_for(lambda: queue_length("default") == 0, "the queue to drain")
    assert TierHistory.objects.filter(restaurant=restaurant).count() == 4  # one row each: not twice


def test_the_beat_entry_task_starts_the_weekly_job_and_the_worker_runs_it(restaurant, worker):
    synthetic_team(restaurant, servers=3, days=10, end=period_end_for(restaurant))
    app.send_task("staff.tasks.dispatch_weekly_tier_jobs")
    wait_for(lambda: TierJob.objects.filter(status=TierJobStatus.DONE).exists(), "the weekly job")
    job = TierJob.objects.get()
    assert job.trigger == TierJobTrigger.SCHEDULE and job.result["staff_scored"] == 3
