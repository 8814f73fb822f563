"""The engine's services: forecast, rule checks, fairness, reasons, and the run that ties them together
into a draft schedule (SchedulingEngine). Names follow the original system's services."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date

from celery import current_app
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from scheduling.engine import ENGINES, Assignment, Problem, Rules, Solution, solve
from scheduling.engine.diagnosis import diagnose
from scheduling.engine.fairness import coverage, fairness
from scheduling.engine.forecast import (
    backtest,
    forecast_covers,
    ratios_from_history,
    seasonal_naive,
    staff_needed,
)
from scheduling.engine.reasoning import explain
from scheduling.engine.validate import hard, validate
from scheduling.exceptions import InvalidSchedulingInput, RunNotClaimable
from scheduling.models import (
    AuditAction,
    ItemSource,
    RunStatus,
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleReasoning,
    ScheduleRun,
)
from scheduling.selectors import (
    WeekInputs,
    covers_history,
    day_parts_of,
    latest_schedule,
    staff_hours_history,
    week_dates,
    week_problem,
)

log = logging.getLogger(__name__)
RUN_TASK = "scheduling.tasks.schedule_run_task"
Progress = Callable[[float, str], None]


def person_or_none(actor):
    """The user to record as having acted; None for an API key or nobody (the audit says 'the system')."""
    return actor if isinstance(actor, User) and actor.pk else None


class DemandForecaster:
    """Covers per date and day-part from the restaurant's visits (Holt's smoothing by weekday against
    seasonal-naive), and staff needed per role from the restaurant's own covers per staff-hour."""

    def __init__(self, restaurant, *, history_weeks: int = 8):
        self.restaurant = restaurant
        self.history_weeks = history_weeks

    def forecast(self, week_start: date) -> dict:
        history = covers_history(restaurant=self.restaurant, until=week_start, weeks=self.history_weeks)
        hours = staff_hours_history(restaurant=self.restaurant, until=week_start, weeks=self.history_weeks)
        ratios = ratios_from_history(history, hours)
        parts = day_parts_of(self.restaurant)
        rows, covers, targets = [], {}, {}
        for day in week_dates(week_start):
            for part in parts:
                ours = forecast_covers(history, day, part.key)
                naive = seasonal_naive(history, day, part.key)
                covers[day, part.key] = ours
                length = (part.end.hour * 60 + part.end.minute - part.start.hour * 60 - part.start.minute) / 60
                needed = {role: staff_needed(ours, length, ratio) for role, ratio in ratios.items()}
                for role, n in needed.items():
                    targets[day, part.key, role] = n
                rows.append(
                    {
                        "date": day.isoformat(),
                        "day_part": part.key,
                        "covers": None if ours is None else round(ours, 1),
                        "seasonal_naive": naive,
                        "staff_needed": needed,
                    }
                )
        check = backtest(history, [p.key for p in parts], test_weeks=2) if history else {}
        return {
            "week_start": week_start.isoformat(),
            "days": rows,
            "ratios": ratios,
            "backtest": check,
            "_covers": covers,
            "_targets": targets,
        }


class ConstraintValidator:
    """The engine's own rules, applied to a schedule's current items (a manager's edits included)."""

    def __init__(self, restaurant, week_start: date, *, rules: Rules | None = None):
        self.inputs = week_problem(restaurant=restaurant, week_start=week_start, rules=rules)

    def assignments(self, items) -> tuple[list[Assignment], list[str]]:
        index = self.inputs.problem.slot_index()
        out, outside = [], []
        for item in items:
            slot = index.get((item.date, item.day_part, item.role))
            if slot is None:
                outside.append(f"{item.staff} on {item.date} {item.day_part} as {item.role}: no staffing requirement")
                continue
            out.append(Assignment(item.staff_id, slot, locked=item.locked))
        return out, outside

    def check(self, items) -> dict:
        assignments, outside = self.assignments(items)
        problem = self.inputs.problem
        found = validate(problem, assignments)
        return {
            "hard": [v.as_dict() for v in found if v.severity == "hard"],
            "soft": [v.as_dict() for v in found if v.severity == "soft"]
            + [{"rule": "no_requirement", "severity": "soft", "message": m} for m in outside],
            "unmet": [s.as_dict(problem) for s in diagnose(problem, assignments)],
        }


def rules_of(parameters: dict | None) -> Rules:
    """The rules a run was asked for (the API's and CLI's options), defaults elsewhere."""
    params = parameters or {}
    return Rules(
        time_limit_seconds=float(params.get("time_limit", 10.0)),
        max_shifts_per_day=int(params.get("max_shifts_per_day", 1)),
        min_rest_hours=float(params.get("min_rest_hours", 10.0)),
    )


class FairnessCalculator:
    """Gini of hours, hours against desired, prime-shift share, preference satisfaction and coverage."""

    @staticmethod
    def figures(problem: Problem, assignments: list[Assignment]) -> dict:
        return {**fairness(problem, assignments), **{k: v for k, v in coverage(problem, assignments).items()}}


class ScheduleReasoningGenerator:
    """One short reason per shift; rule-based words (an LLM may reword them once the staff app's
    client exists; `source` records which wrote them)."""

    source = "rules"

    def reasons(self, problem: Problem, assignments: list[Assignment]):
        return explain(problem, assignments)


def schedule_run_create(
    *,
    restaurant,
    week_start: date,
    engine: str = "cpsat",
    time_limit: float = 10.0,
    requested_by=None,
    max_shifts_per_day: int = 1,
    min_rest_hours: float = 10.0,
    enqueue: bool = True,
) -> ScheduleRun:
    """A queued run; the worker picks it up once this transaction commits."""
    if week_start.weekday() != 0:
        raise InvalidSchedulingInput("week_start", "must be a Monday")
    if engine not in ENGINES:
        raise InvalidSchedulingInput("engine", f"must be one of {', '.join(ENGINES)}")
    if not 0.5 <= time_limit <= 120:
        raise InvalidSchedulingInput("time_limit", "must be between 0.5 and 120 seconds")
    if not 1 <= max_shifts_per_day <= 3:
        raise InvalidSchedulingInput("max_shifts_per_day", "must be 1, 2 or 3")
    if not 0 <= min_rest_hours <= 24:
        raise InvalidSchedulingInput("min_rest_hours", "must be between 0 and 24 hours")
    run = ScheduleRun.objects.create(
        restaurant=restaurant,
        week_start=week_start,
        solver=engine,
        parameters={
            "engine": engine,
            "time_limit": time_limit,
            "max_shifts_per_day": max_shifts_per_day,
            "min_rest_hours": min_rest_hours,
        },
        requested_by=person_or_none(requested_by),
        progress_message="queued",
    )
    if enqueue:
        transaction.on_commit(lambda: current_app.send_task(RUN_TASK, args=[run.pk]))
    return run


def schedule_run_claim(*, run_id: int) -> bool:
    """Queued -> running, for exactly one worker (a retried or duplicated message changes nothing)."""
    return bool(
        ScheduleRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), progress=0.01, progress_message="reading the week"
        )
    )


def _progress_writer(run_id: int) -> Progress:
    last = [0.0]

    def write(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.4 and fraction < 0.99:
            return
        last[0] = now
        ScheduleRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            progress=round(max(0.0, min(0.99, fraction)), 3), progress_message=message[:200]
        )

    return write


def schedule_run_execute(*, run_id: int, progress: Progress | None = None) -> ScheduleRun:
    """Claim the run, forecast, solve, and save a new draft version with reasons and figures. A failure
    marks the run failed with the error; the run never stays 'running'."""
    if not schedule_run_claim(run_id=run_id):
        raise RunNotClaimable(f"run {run_id} is not queued", details={"run_id": run_id})
    run = ScheduleRun.objects.select_related("restaurant").get(pk=run_id)
    write = _progress_writer(run_id)

    def report(fraction: float, message: str) -> None:
        write(fraction, message)
        if progress:
            progress(fraction, message)

    try:
        return _execute(run, report)
    except Exception as exc:  # the run records any failure; the worker keeps going
        log.exception("schedule run %s failed", run_id)
        ScheduleRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run


def _execute(run: ScheduleRun, report: Progress) -> ScheduleRun:
    restaurant = run.restaurant
    params = run.parameters or {}
    engine = params.get("engine", "cpsat")
    report(0.03, "forecasting demand")
    forecast = DemandForecaster(restaurant).forecast(run.week_start)
    rules = rules_of(params)
    base = latest_schedule(restaurant=restaurant, week_start=run.week_start)
    inputs = week_problem(
        restaurant=restaurant,
        week_start=run.week_start,
        targets=forecast["_targets"],
        covers=forecast["_covers"],
        rules=rules,
        locked_from=base,
    )
    report(0.08, f"solving with {engine}")
    solution = solve(inputs.problem, engine=engine, progress=lambda f, m: report(0.08 + 0.82 * f, m))
    report(0.92, "writing the draft")
    _save_draft(run, inputs, solution, forecast)
    run.refresh_from_db()
    return run


def run_metrics(problem: Problem, solution: Solution) -> dict:
    figures = FairnessCalculator.figures(problem, solution.assignments)
    return {
        "engine": solution.engine,
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": solution.gap,
        "solve_seconds": round(solution.solve_seconds, 3),
        "first_feasible_seconds": solution.first_feasible_seconds,
        "shifts": len(solution.assignments),
        "shortfall_hours": figures["shortfall_hours"],
        "target_shortfall_hours": figures["target_shortfall_hours"],
        "minimum_met": figures["minimum_met"],
        "hours_gini": figures["hours_gini"],
        "share_within_desired": figures["share_within_desired"],
        "prime_spread": figures["prime_spread"],
        "prime_max_per_person": figures["prime_max_per_person"],
        "preference_score": figures["preference_score"],
        "hard_violations": len(hard(validate(problem, solution.assignments))),
        "notes": solution.notes,
    }


@transaction.atomic
def _save_draft(run: ScheduleRun, inputs: WeekInputs, solution: Solution, forecast: dict) -> Schedule:
    problem = inputs.problem
    restaurant = run.restaurant
    version = (
        Schedule.objects.select_for_update()
        .filter(restaurant=restaurant, week_start=run.week_start)
        .aggregate(m=Max("version"))["m"]
        or 0
    ) + 1
    metrics = run_metrics(problem, solution)
    shortfalls = [s.as_dict(problem) for s in diagnose(problem, solution.assignments)]
    figures = FairnessCalculator.figures(problem, solution.assignments)
    schedule = Schedule.objects.create(
        restaurant=restaurant,
        week_start=run.week_start,
        version=version,
        created_by=run.requested_by,
        fairness={k: v for k, v in figures.items() if k != "slots"},
        notes=f"Generated by {solution.engine} ({solution.status}) from run {run.pk}.",
    )
    reasons = ScheduleReasoningGenerator().reasons(problem, solution.assignments)
    items = ScheduleItem.objects.bulk_create(
        [
            ScheduleItem(
                schedule=schedule,
                staff_id=a.person_id,
                date=problem.slots[a.slot].date,
                day_part=problem.slots[a.slot].day_part,
                role=problem.slots[a.slot].role,
                start_time=problem.slots[a.slot].start.time(),
                end_time=problem.slots[a.slot].end.time(),
                source=ItemSource.MANUAL if a.locked else ItemSource.ENGINE,
                locked=a.locked,
                score=round(sum(1 for v in r.factors.values() if v) / len(r.factors), 3),
            )
            for a, r in zip(solution.assignments, reasons, strict=True)
        ]
    )
    ScheduleReasoning.objects.bulk_create(
        [
            ScheduleReasoning(
                item=item, summary=r.summary, factors=r.factors, alternatives=r.alternatives, source="rules"
            )
            for item, r in zip(items, reasons, strict=True)
        ]
    )
    ScheduleAuditEntry.objects.create(
        schedule=schedule,
        action=AuditAction.CREATED,
        actor=run.requested_by,
        details={"run_id": run.pk, "engine": solution.engine, "status": solution.status, "shifts": len(items)},
    )
    summary = {
        **metrics,
        "unmet": shortfalls,
        "coverage": [c for c in figures["slots"]],
        "forecast": {k: v for k, v in forecast.items() if not k.startswith("_")},
    }
    ScheduleRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED,
        schedule=schedule,
        progress=1.0,
        progress_message="done",
        solver=solution.engine,
        solver_status=solution.status,
        objective=solution.objective,
        optimality_gap=solution.gap,
        summary=summary,
        finished_at=timezone.now(),
    )
    return schedule


class SchedulingEngine:
    """The original service's entry point: generate a week's draft for a restaurant, in the foreground
    (the management command) or through a queued run (the API and the dashboard)."""

    def __init__(self, restaurant, *, engine: str = "cpsat", time_limit: float = 10.0):
        self.restaurant, self.engine, self.time_limit = restaurant, engine, time_limit

    def generate(self, week_start: date, *, requested_by=None, progress: Progress | None = None) -> ScheduleRun:
        with transaction.atomic():
            run = schedule_run_create(
                restaurant=self.restaurant,
                week_start=week_start,
                engine=self.engine,
                time_limit=self.time_limit,
                requested_by=requested_by,
                enqueue=False,
            )
        return schedule_run_execute(run_id=run.pk, progress=progress)
