"""Engine runs through the services: a draft with a reason per shift and the run's figures, claimed
once, failures recorded; publishing archives the week's previous version and audits both; the
management command; and a run through a real Celery worker on Redis."""

import io
import json
import time

import pytest
from django.core.management import call_command
from django.db.models import Count

from conftest import require
from scheduling.exceptions import PublishBlocked, RunNotClaimable, ScheduleNotEditable
from scheduling.models import (
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleReasoning,
    ScheduleRun,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
)
from scheduling.services import (
    SchedulingEngine,
    schedule_check,
    schedule_item_add,
    schedule_publish,
    schedule_run_create,
    schedule_run_execute,
)
from scheduling.tests.week_setup import WEEK, small_week


@pytest.fixture
def week(restaurant):
    return small_week(restaurant)


def generate(restaurant, engine="cpsat", **kw):
    return SchedulingEngine(restaurant, engine=engine, time_limit=5).generate(WEEK, **kw)


@pytest.mark.django_db
def test_a_run_makes_a_draft_with_a_reason_for_every_shift_and_its_figures(restaurant, week):
    seen = []
    run = generate(restaurant, progress=lambda f, m: seen.append(f))
    assert run.status == "succeeded"
    assert run.progress == 1.0
    assert run.solver_status in ("OPTIMAL", "FEASIBLE")  # which one depends on the machine's load
    schedule = run.schedule
    assert (schedule.status, schedule.version) == ("draft", 1)
    items = ScheduleItem.objects.filter(schedule=schedule)
    assert items.count() == run.summary["shifts"] > 0
    assert ScheduleReasoning.objects.filter(item__schedule=schedule).count() == items.count()
    assert run.summary["hard_violations"] == 0
    assert run.summary["shortfall_hours"] == 0
    for key in ("hours_gini", "preference_score", "prime_spread", "objective", "bound", "gap", "forecast", "coverage"):
        assert key in run.summary
    # Ana cannot work Mondays, Ben is off Saturday: the solver respects both.
    assert not items.filter(staff=week["servers"][0], date=WEEK).exists()
    assert not items.filter(staff=week["servers"][1], date=WEEK.replace(day=12)).exists()
    assert seen == sorted(seen) and seen[0] < 0.1
    assert list(schedule.audit.values_list("action", flat=True)) == ["created"]


@pytest.mark.django_db
def test_a_second_run_keeps_the_locked_shift_and_makes_version_two(restaurant, week):
    first = generate(restaurant).schedule
    host = week["host"]
    kept = ScheduleItem.objects.filter(schedule=first, staff=host).order_by("date").first()
    ScheduleItem.objects.filter(pk=kept.pk).update(locked=True)
    second = generate(restaurant, engine="greedy").schedule
    assert second.version == 2
    assert ScheduleItem.objects.filter(
        schedule=second, staff=host, date=kept.date, day_part=kept.day_part, locked=True
    ).exists()


@pytest.mark.django_db
def test_an_impossible_week_is_diagnosed_and_still_gets_its_best_schedule(restaurant, week):
    StaffingRequirement.objects.filter(weekday=5, day_part="dinner", role="server").update(
        min_staff=3, target_staff=3, max_staff=3
    )
    for member in week["servers"][2:]:
        member.active = False
        member.save()
    run = generate(restaurant)
    assert run.status == "succeeded"
    assert run.schedule.items.exists()
    saturday = [u for u in run.summary["unmet"] if u["date"] == "2026-12-12" and u["day_part"] == "dinner"]
    assert saturday[0]["message"].startswith(
        "Saturday dinner needs 3 servers; 1 scheduled: Ben is on approved time off (Wedding)"
    )


@pytest.mark.django_db
def test_a_run_may_allow_two_shifts_a_day(restaurant, week):
    # Two servers left, free all week: lunch and dinner need three server shifts a day, so only doubles meet them.
    ana, ben = week["servers"][:2]
    for member in week["servers"][2:]:
        member.active = False
        member.save()
    StaffPreference.objects.filter(staff__in=[ana, ben]).update(max_hours_per_week=80, max_shifts_per_week=14)
    StaffAvailability.objects.filter(staff=ana).delete()
    TimeOff.objects.filter(staff=ben).delete()

    def doubles(run):
        per_day = ScheduleItem.objects.filter(schedule=run.schedule).values("staff", "date").annotate(n=Count("id"))
        return per_day.filter(n=2).count()

    single = generate(restaurant)
    assert doubles(single) == 0
    assert single.summary["shortfall_hours"] > 0
    run = schedule_run_create(
        restaurant=restaurant, week_start=WEEK, engine="cpsat", time_limit=5, max_shifts_per_day=2, enqueue=False
    )
    double = schedule_run_execute(run_id=run.pk)
    assert double.summary["hard_violations"] == 0
    assert doubles(double) > 0
    assert double.summary["shortfall_hours"] < single.summary["shortfall_hours"]
    # The schedule is checked (and may be published) under the rules it was made with.
    assert schedule_check(schedule=double.schedule)["hard"] == []
    assert schedule_publish(schedule=double.schedule).status == "published"


@pytest.mark.django_db
def test_a_run_is_claimed_once(restaurant, week):
    run = schedule_run_create(restaurant=restaurant, week_start=WEEK, engine="greedy", enqueue=False)
    assert schedule_run_execute(run_id=run.pk).status == "succeeded"
    with pytest.raises(RunNotClaimable):
        schedule_run_execute(run_id=run.pk)
    assert Schedule.objects.count() == 1


@pytest.mark.django_db
def test_a_run_that_breaks_is_recorded_failed_not_left_running(restaurant, week):
    run = schedule_run_create(restaurant=restaurant, week_start=WEEK, engine="greedy", enqueue=False)
    ScheduleRun.objects.filter(pk=run.pk).update(parameters={"engine": "simplex"})  # no such engine
    done = schedule_run_execute(run_id=run.pk)
    assert done.status == "failed"
    assert "simplex" in done.error
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_publishing_archives_the_previous_version_and_audits_both(restaurant, week, manager_user):
    first = generate(restaurant, engine="greedy").schedule
    schedule_publish(schedule=first, actor=manager_user)
    second = generate(restaurant).schedule
    schedule_publish(schedule=second, actor=manager_user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("archived", "published")
    assert Schedule.objects.filter(week_start=WEEK, status="published").count() == 1
    assert list(first.audit.values_list("action", flat=True)) == ["archived", "published", "created"]
    assert second.audit.first().action == "published"
    assert second.audit.first().actor == manager_user
    with pytest.raises(ScheduleNotEditable):
        schedule_item_add(schedule=second, staff=week["host"], date=WEEK, day_part="lunch", role="host")


@pytest.mark.django_db
def test_a_hard_violation_blocks_publishing_and_changes_nothing(restaurant, week, manager_user):
    draft = generate(restaurant).schedule
    ana = week["servers"][0]
    _, check = schedule_item_add(
        schedule=draft, staff=ana, date=WEEK, day_part="lunch", role="server", actor=manager_user
    )
    assert any("Ana Alvarez is not available Monday" in v["message"] for v in check["hard"])
    with pytest.raises(PublishBlocked) as refused:
        schedule_publish(schedule=draft, actor=manager_user)
    assert refused.value.details["violations"]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not ScheduleAuditEntry.objects.filter(schedule=draft, action="published").exists()


@pytest.mark.django_db
def test_generate_schedule_command_prints_its_figures_as_json_last(restaurant, week):
    out = io.StringIO()
    call_command(
        "generate_schedule",
        "--restaurant",
        restaurant.pk,
        "--week",
        "2026-12-07",
        "--time-limit",
        "3",
        "--publish",
        stdout=out,
        stderr=io.StringIO(),
    )
    last = json.loads(out.getvalue().strip().splitlines()[-1])
    for key in (
        "status",
        "schedule_id",
        "shortfall_hours",
        "hours_gini",
        "preference_score",
        "hard_violations",
        "solve_seconds",
    ):
        assert key in last
    assert last["status"] == "succeeded" and last["published"] is True
    assert Schedule.objects.get(pk=last["schedule_id"]).status == "published"


@pytest.mark.django_db
def test_generate_schedule_if_missing_leaves_a_week_that_has_a_schedule(restaurant, week):
    args = ("generate_schedule", "--restaurant", restaurant.pk, "--week", "2026-12-07", "--engine", "greedy")
    call_command(*args, "--if-missing", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command(*args, "--if-missing", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue().strip().splitlines()[-1])["status"] == "exists"
    assert Schedule.objects.count() == ScheduleRun.objects.count() == 1


@pytest.mark.django_db
def test_generate_schedule_command_refuses_a_day_that_is_not_monday(restaurant, week):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must be a Monday"):
        call_command(
            "generate_schedule",
            "--restaurant",
            restaurant.pk,
            "--week",
            "2026-12-08",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not ScheduleRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_queued_over_the_api_is_done_by_a_real_celery_worker(
    restaurant, manager_api, settings, using_postgres, redis_url
):
    from celery.contrib.testing.worker import start_worker

    from restaurant.celery import app

    small_week(restaurant)
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "Redis as the Celery broker")
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        answer = manager_api.post(
            f"/api/v1/restaurants/{restaurant.pk}/schedules/run",
            {"week_start": "2026-12-07", "engine": "greedy"},
            format="json",
        )
        assert answer.status_code == 202
        run_id = answer.json()["run_id"]
        deadline = time.monotonic() + 60
        while ScheduleRun.objects.get(pk=run_id).status in ("queued", "running"):
            assert time.monotonic() < deadline, "the worker did not finish the run"
            time.sleep(0.2)
    status = manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/schedules/runs/{run_id}").json()
    assert status["status"] == "succeeded" and status["progress"] == 100
    assert status["schedule_id"] and status["metrics"]["hard_violations"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_managers_publishing_two_versions_at_once_leave_one_published(restaurant, manager_user, using_postgres):
    import threading

    from django.db import connection

    small_week(restaurant)
    first = generate(restaurant, engine="greedy").schedule
    second = generate(restaurant, engine="greedy").schedule
    barrier = threading.Barrier(2)
    errors = []

    def publish(schedule):
        try:
            barrier.wait(timeout=10)
            schedule_publish(schedule=schedule, actor=manager_user)
        except Exception as exc:  # noqa: BLE001 -- the test reports whatever a thread hit
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    statuses = sorted(Schedule.objects.filter(week_start=WEEK).values_list("status", flat=True))
    assert statuses == ["archived", "published"]
    archived = Schedule.objects.get(week_start=WEEK, status="archived")
    assert archived.audit.filter(action="archived").count() == 1
