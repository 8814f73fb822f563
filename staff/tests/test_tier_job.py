"""The tier job end to end (no worker: the worker test is test_tasks_worker.py): tiers from a synthetic team
whose skill drives the figures, locks respected, a second run writing nothing, a query count that does not
grow with the staff, one job in flight, a claim taken once, the weekly dispatcher in local time, the command."""

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask

from restaurant.tests.factories import RestaurantFactory
from staff.engine import spearman
from staff.models import (
    InsightSource,
    StaffMember,
    Tier,
    TierHistory,
    TierJob,
    TierJobStatus,
    TierJobTrigger,
    TierSettings,
    WaiterInsights,
    WaiterMetrics,
)
from staff.services.jobs import (
    TierRecalculationJob,
    run_tier_job,
    tier_job_request,
    tiers_recalculate,
    weekly_tier_jobs_dispatch,
)
from staff.services.llm import LLMScorer
from staff.services.metrics import period_end_for
from staff.services.tiers import tier_set
from staff.tests import llm_server
from staff.tests.performance_setup import local, synthetic_team

pytestmark = pytest.mark.django_db

RULES = LLMScorer(api_key="")


@pytest.fixture
def team(restaurant):
    end = local(restaurant, 2026, 3, 31)
    return end, synthetic_team(restaurant, servers=8, days=30, end=end)


def counts():
    return (WaiterMetrics.objects.count(), WaiterInsights.objects.count(), TierHistory.objects.count())


def test_tiers_follow_skill_and_every_one_has_its_reason(restaurant, team):
    end, skills = team
    result = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=RULES)
    assert result.staff_scored == 8 and sum(result.tiers.values()) == 8
    staff = list(StaffMember.objects.filter(pk__in=skills))
    assert spearman([s.tier_score for s in staff], [skills[s.pk] for s in staff]) > 0.8
    best = max(staff, key=lambda s: skills[s.pk])
    worst = min(staff, key=lambda s: skills[s.pk])
    assert (best.tier, worst.tier) == (Tier.STRONG, Tier.DEVELOPING)
    assert best.tier_reason.startswith("strong: ") and " sd" in best.tier_reason and "shifts" in best.tier_reason
    insight = WaiterInsights.objects.get(staff=best)
    assert insight.source == InsightSource.RULES and insight.strengths and insight.fallback_reason.startswith("no LLM")
    assert TierHistory.objects.filter(staff=best).get().components["z"]


def test_running_twice_for_the_same_period_changes_nothing(restaurant, team):
    end, _ = team
    tiers_recalculate(restaurant=restaurant, period_end=end, scorer=RULES)
    before = counts()
    tiers_before = list(StaffMember.objects.order_by("pk").values_list("tier", "tier_score", "tier_updated_at"))
    again = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=RULES)
    assert (again.snapshots_written, again.updated, again.changed, again.insights) == (0, 0, 0, {})
    assert counts() == before
    assert list(StaffMember.objects.order_by("pk").values_list("tier", "tier_score", "tier_updated_at")) == tiers_before


def test_a_locked_tier_is_left_alone_but_its_figures_are_still_said(restaurant, manager_user, team):
    end, skills = team
    best = StaffMember.objects.get(pk=max(skills, key=skills.get))
    tier_set(restaurant=restaurant, staff=best, tier=Tier.DEVELOPING, locked=True, by=manager_user)
    result = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=RULES)
    best.refresh_from_db()
    assert best.tier == Tier.DEVELOPING and best.tier_locked and result.locked == 1
    assert best.tier_reason.startswith("locked at developing by a manager; figures say strong:")
    assert TierHistory.objects.filter(staff=best, changed_by=manager_user).exists()


def test_the_query_count_does_not_grow_with_the_staff(restaurant):
    end = local(restaurant, 2026, 3, 31)
    small_place = RestaurantFactory(name="Small")
    synthetic_team(small_place, servers=3, days=10, end=end, seed=2)
    synthetic_team(restaurant, servers=12, days=10, end=end, seed=3)
    queries = []
    for place in (small_place, restaurant):
        with CaptureQueriesContext(connection) as captured:
            result = tiers_recalculate(restaurant=place, period_end=end, scorer=RULES)
        queries.append(len(captured))
        assert result.staff_scored in (3, 12)
    assert queries[0] == queries[1], queries


def test_an_llm_writes_the_insights_and_its_score_joins_the_composite(restaurant, team, settings):
    end, skills = team
    state, server, thread = llm_server.start()
    try:
        state.say(
            '{"strengths": ["Great with wine"], "areas_to_improve": ["Pace"], "suggestions": ["Pre-bus"], "score": 90}'
        )
        scorer = LLMScorer(api_key="sk-test", base_url=state.url, model="m1", timeout=2, max_retries=0)
        result = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=scorer)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert result.insights == {"llm": 8} and len(state.requests) == 8
    row = WaiterInsights.objects.filter(source=InsightSource.LLM).first()
    assert (row.strengths, row.score, row.model_name) == (["Great with wine"], 90, "m1")
    history = TierHistory.objects.first()
    assert history.components["llm_score"] == 90 and "LLM score 90" in history.reason


def test_when_the_llm_fails_the_job_writes_rule_based_insights_labelled_with_why(restaurant, team):
    end, _ = team
    state, server, thread = llm_server.start()
    try:
        state.answer_with(llm_server.Reply(status=503, body={"error": {"message": "overloaded"}}))
        scorer = LLMScorer(api_key="sk-test", base_url=state.url, model="m1", timeout=2, max_retries=1)
        result = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=scorer)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert result.insights == {"rules": 8} and result.fallbacks == {"LLM answered HTTP 503: rule-based": 8}
    assert len(state.requests) == 16  # each call retried once
    assert set(WaiterInsights.objects.values_list("source", "fallback_reason")) == {
        ("rules", "LLM answered HTTP 503: rule-based")
    }
    assert all(
        components["llm_score"] is None for components in TierHistory.objects.values_list("components", flat=True)
    )


def test_one_job_in_flight_per_restaurant_and_a_claim_is_taken_once(
    restaurant, team, django_capture_on_commit_callbacks
):
    end, _ = team
    with django_capture_on_commit_callbacks() as callbacks:
        job, created = tier_job_request(restaurant=restaurant, enqueue=False)
        same, again = tier_job_request(restaurant=restaurant, enqueue=False)
    assert created and not again and same.pk == job.pk and callbacks == []
    assert job.period_end == period_end_for(restaurant) and job.status == TierJobStatus.PENDING
    runner = TierRecalculationJob.claim(job.pk, scorer=RULES)
    assert runner is not None and TierRecalculationJob.claim(job.pk) is None  # the second claim gets nothing
    runner.run()
    job.refresh_from_db()
    assert job.status == TierJobStatus.DONE and job.percent == 100 and job.result["staff_scored"] == 0
    assert run_tier_job(job_id=job.pk, scorer=RULES) is None  # a redelivered message does nothing
    assert tier_job_request(restaurant=restaurant, enqueue=False)[1]  # done: a new one may start


def test_a_job_whose_worker_died_is_failed_after_fifteen_minutes(restaurant):
    job, _ = tier_job_request(restaurant=restaurant, enqueue=False)
    TierRecalculationJob.claim(job.pk)
    TierJob.objects.filter(pk=job.pk).update(heartbeat_at=job.created_at - timedelta(minutes=16))
    fresh, created = tier_job_request(restaurant=restaurant, enqueue=False)
    job.refresh_from_db()
    assert created and job.status == TierJobStatus.FAILED and "worker stopped" in job.error


def test_a_failing_job_is_marked_failed_with_the_error(restaurant, team):
    end, _ = team
    TierSettings.objects.create(restaurant=restaurant, weights={"sales_per_cover": 1})
    TierSettings.objects.filter(restaurant=restaurant).update(strong_cutoff=-2)  # invalid: below developing
    job, _ = tier_job_request(restaurant=restaurant, enqueue=False, period_end=end)
    with pytest.raises(ValueError):
        run_tier_job(job_id=job.pk, scorer=RULES)
    job.refresh_from_db()
    assert job.status == TierJobStatus.FAILED and "developing_cutoff" in job.error


def test_the_weekly_dispatcher_starts_each_restaurant_at_its_local_hour_once(restaurant, team):
    tokyo = RestaurantFactory(name="Tokyo", timezone="Asia/Tokyo")
    synthetic_team(tokyo, servers=2, days=3, end=local(tokyo, 2026, 3, 31), seed=5)
    RestaurantFactory(name="Empty")  # no servers: no job
    # Monday 30 March 2026, 19:30 UTC: 04:30 Tuesday in Tokyo (its Monday 04:00 slot was yesterday
    # 04:00 local), 15:30 Monday in New York (its Monday 04:00 has passed too).
    now = datetime(2026, 3, 30, 19, 30, tzinfo=ZoneInfo("UTC"))
    started = weekly_tier_jobs_dispatch(now=now, enqueue=False)
    ends = {job.restaurant_id: job.period_end for job in started}
    assert ends == {
        restaurant.pk: datetime(2026, 3, 30, tzinfo=ZoneInfo("America/New_York")),
        tokyo.pk: datetime(2026, 3, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
    }
    TierJob.objects.update(status=TierJobStatus.DONE)
    assert weekly_tier_jobs_dispatch(now=now + timedelta(minutes=10), enqueue=False) == []  # same week: nothing
    # Sunday 03:00 in New York is before the next Monday 04:00: still nothing.
    assert weekly_tier_jobs_dispatch(now=datetime(2026, 4, 5, 7, tzinfo=ZoneInfo("UTC")), enqueue=False) == []
    TierSettings.objects.create(restaurant=restaurant, run_weekday=6, run_hour=2)  # Sunday 02:00 instead
    later = weekly_tier_jobs_dispatch(now=datetime(2026, 4, 5, 7, tzinfo=ZoneInfo("UTC")), enqueue=False)
    assert [(job.restaurant_id, job.trigger) for job in later] == [(restaurant.pk, TierJobTrigger.SCHEDULE)]


def test_the_weekly_job_is_in_beat_after_migrate():
    task = PeriodicTask.objects.get(task="staff.tasks.dispatch_weekly_tier_jobs")
    assert task.enabled and task.crontab.minute == "*/10"


def test_the_command_runs_in_the_foreground_and_prints_json_last(restaurant):
    synthetic_team(restaurant, servers=8, days=30, end=period_end_for(restaurant))
    out, err = StringIO(), StringIO()
    call_command("recalculate_tiers", "--restaurant", str(restaurant.pk), "--weeks", "2", stdout=out, stderr=err)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["restaurants"] == 1 and summary["staff_scored"] == 8 and sum(summary["tiers"].values()) == 8
    assert len(summary["jobs"]) == 3 and summary["skipped"] == []
    assert TierJob.objects.filter(trigger=TierJobTrigger.COMMAND, status=TierJobStatus.DONE).count() == 3
    out = StringIO()
    call_command("recalculate_tiers", stdout=out, stderr=StringIO())
    again = json.loads(out.getvalue().strip().splitlines()[-1])
    assert again["changed"] == 0 and again["insights"] == {}
