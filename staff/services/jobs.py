"""TierRecalculationJob: metrics -> snapshot -> insights -> tiers for one restaurant, as a job with a status.

- `tiers_recalculate` is the work itself (the job, the command and the benchmark call it). Its query count
  does not grow with the staff: a fixed set of GROUP BY reads, bulk writes, and at most ~10 progress writes.
- `tier_job_request` creates a pending job (or answers the one already in flight: one per restaurant, a
  database constraint) and sends it to the worker after commit.
- `TierRecalculationJob.claim` takes a pending job with a conditional update; only one worker wins, so a
  message delivered twice runs the job once.
- `weekly_tier_jobs_dispatch` (beat, every 10 minutes) starts each restaurant's weekly job once its local
  day and hour have come this week; the scheduled job is unique per restaurant and period, so later ticks
  of the same week start nothing.

Idempotent end to end: the same period gives the same snapshot (not rewritten), the same insights (kept:
not asked again), the same scores (no update, no history row)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from restaurant.celery import app as celery_app
from restaurant.models import Restaurant
from staff.models import (
    TIER_JOB_IN_FLIGHT,
    InsightSource,
    TierJob,
    TierJobStatus,
    TierJobTrigger,
    TierSettings,
    WaiterInsights,
)
from staff.selectors import insights_for_metrics, restaurants_with_tracked_staff, tracked_staff
from staff.services.llm import LLMScorer
from staff.services.metrics import MetricsAggregator, period_end_for
from staff.services.tiers import TierCalculator

logger = logging.getLogger(__name__)

RUN_TASK = "staff.tasks.run_tier_job"
STALE_AFTER = timedelta(minutes=15)  # a running job with no heartbeat for this long died with its worker
PROGRESS_WRITES = 10

Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass
class TierRunResult:
    """What one recalculation did, as the job stores it and the command prints it."""

    restaurant_id: int
    period_start: str
    period_end: str
    staff_scored: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    updated: int = 0
    locked: int = 0
    snapshots_written: int = 0
    insights: dict[str, int] = field(default_factory=dict)  # source -> rows written this run
    fallbacks: dict[str, int] = field(default_factory=dict)  # reason -> count

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def tiers_recalculate(
    *,
    restaurant: Restaurant,
    period_end: datetime,
    scorer: LLMScorer | None = None,
    progress: Progress | None = None,
    shrink: bool = True,
) -> TierRunResult:
    """Recalculate a restaurant's tiers over the 30 days to `period_end` (see the module's docstring)."""
    progress = progress or (lambda stage, done, total: None)
    scorer = scorer or LLMScorer.from_settings()
    aggregator = MetricsAggregator(restaurant)
    calculator = TierCalculator(restaurant, shrink=shrink)
    start, end = aggregator.window_for(period_end)
    staff = list(tracked_staff(restaurant=restaurant))
    names = {member.pk: member.name for member in staff}
    total = len(staff) + 3
    progress("aggregating", 0, total)

    metrics = {sid: m for sid, m in aggregator.compute(period_end=end).items() if sid in names}
    snapshot = aggregator.snapshot(period_end=end, metrics=metrics)
    progress("scoring", 1, total)

    # Insights for snapshots that are new or changed; the kept ones bring back their LLM score.
    have = insights_for_metrics(metrics_ids=[row.pk for row in snapshot.snapshots.values()])
    llm_scores = dict(
        WaiterInsights.objects.filter(metrics_id__in=have, source=InsightSource.LLM, score__isnull=False).values_list(
            "staff_id", "score"
        )
    )
    previous = {member.pk: member.tier for member in staff}
    first_pass = calculator.score(metrics, previous=previous)
    result = TierRunResult(restaurant.pk, start.isoformat(), end.isoformat(), snapshots_written=len(snapshot.written))
    needing = [sid for sid, row in snapshot.snapshots.items() if row.pk not in have or sid in snapshot.written]
    rows = []
    step = max(1, math.ceil(len(needing) / PROGRESS_WRITES))
    for index, staff_id in enumerate(needing, start=1):
        z = first_pass[staff_id].z if staff_id in first_pass else {}
        answer = scorer.insights_for(name=names[staff_id], metrics=metrics[staff_id], z=z)
        if answer.score is not None:
            llm_scores[staff_id] = answer.score
        if answer.fallback_reason:
            result.fallbacks[answer.fallback_reason] = result.fallbacks.get(answer.fallback_reason, 0) + 1
        result.insights[answer.source] = result.insights.get(answer.source, 0) + 1
        rows.append(
            WaiterInsights(
                restaurant=restaurant,
                staff_id=staff_id,
                metrics=snapshot.snapshots[staff_id],
                strengths=answer.insights.strengths,
                areas_to_improve=answer.insights.areas_to_improve,
                suggestions=answer.insights.suggestions,
                source=answer.source,
                model_name=answer.model_name,
                score=answer.score,
                fallback_reason=answer.fallback_reason,
            )
        )
        if index % step == 0 or index == len(needing):
            progress(f"insights {index}/{len(needing)}", 1 + round(index * len(staff) / len(needing)), total)
    progress("saving", len(staff) + 1, total)

    scored = calculator.score(metrics, previous=previous, llm_scores=llm_scores)
    with transaction.atomic():
        if rows:
            WaiterInsights.objects.filter(metrics__in=[row.metrics for row in rows]).delete()
            WaiterInsights.objects.bulk_create(rows, batch_size=500)
        applied = calculator.apply(scored, staff=staff, at=timezone.now(), period_end=end)
    progress("done", total, total)
    result.staff_scored = len(scored)
    result.tiers, result.changed, result.updated, result.locked = (
        applied.tiers,
        applied.changed,
        applied.updated,
        applied.locked,
    )
    return result


def _expire_stale(restaurant: Restaurant, now: datetime) -> None:
    """A running job whose worker died would block the restaurant forever: fail it after STALE_AFTER."""
    TierJob.objects.filter(
        restaurant=restaurant, status=TierJobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    ).update(status=TierJobStatus.FAILED, error="no progress for 15 minutes: the worker stopped", finished_at=now)


def tier_job_request(
    *,
    restaurant: Restaurant,
    trigger: str = TierJobTrigger.MANUAL,
    requested_by=None,
    period_end: datetime | None = None,
    enqueue: bool = True,
) -> tuple[TierJob, bool]:
    """A pending job for the restaurant, sent to the worker after commit; or the job already in flight
    (created False). The period ends at today's local midnight unless given."""
    now = timezone.now()
    period_end = period_end or period_end_for(restaurant, now)
    user = requested_by if getattr(requested_by, "_meta", None) else None
    with transaction.atomic():
        _expire_stale(restaurant, now)
        running = TierJob.objects.filter(restaurant=restaurant, status__in=TIER_JOB_IN_FLIGHT).first()
        if running is not None:
            return running, False
        try:
            with transaction.atomic():
                job = TierJob.objects.create(
                    restaurant=restaurant, trigger=trigger, period_end=period_end, requested_by=user, created_at=now
                )
        except IntegrityError:
            # Another request created one between our look and our insert (or this period's scheduled one exists).
            existing = (
                TierJob.objects.filter(restaurant=restaurant, status__in=TIER_JOB_IN_FLIGHT).first()
                or TierJob.objects.filter(restaurant=restaurant, trigger=trigger, period_end=period_end).first()
            )
            if existing is None:
                raise
            return existing, False
        if enqueue:
            transaction.on_commit(lambda: celery_app.send_task(RUN_TASK, args=[job.pk]))
    return job, True


class TierRecalculationJob:
    """Runs one TierJob: claim it, recalculate with progress written to the row, finish done or failed."""

    def __init__(self, job: TierJob, *, scorer: LLMScorer | None = None):
        self.job = job
        self.scorer = scorer

    @classmethod
    def claim(cls, job_id: int, *, scorer: LLMScorer | None = None) -> TierRecalculationJob | None:
        """Take a pending job; None when another worker took it or it already ran."""
        now = timezone.now()
        taken = TierJob.objects.filter(pk=job_id, status=TierJobStatus.PENDING).update(
            status=TierJobStatus.RUNNING, started_at=now, heartbeat_at=now, stage="starting"
        )
        if not taken:
            return None
        return cls(TierJob.objects.select_related("restaurant").get(pk=job_id), scorer=scorer)

    def _progress(self, stage: str, done: int, total: int) -> None:
        # Throttled: the caller reports at most ~PROGRESS_WRITES times, plus start and end.
        TierJob.objects.filter(pk=self.job.pk, status=TierJobStatus.RUNNING).update(
            stage=stage[:40], progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    def run(self, *, progress: Progress | None = None) -> TierRunResult:
        def report(stage, done, total):
            self._progress(stage, done, total)
            if progress:
                progress(stage, done, total)

        try:
            result = tiers_recalculate(
                restaurant=self.job.restaurant, period_end=self.job.period_end, scorer=self.scorer, progress=report
            )
        except Exception as exc:
            TierJob.objects.filter(pk=self.job.pk, status=TierJobStatus.RUNNING).update(
                status=TierJobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
            )
            raise
        TierJob.objects.filter(pk=self.job.pk, status=TierJobStatus.RUNNING).update(
            status=TierJobStatus.DONE,
            stage="done",
            progress_done=F("progress_total"),
            result=result.as_dict(),
            finished_at=timezone.now(),
        )
        self.job.refresh_from_db()
        return result


def run_tier_job(*, job_id: int, scorer: LLMScorer | None = None) -> TierRunResult | None:
    """Claim and run a job; None when it was not pending (already taken, done or failed)."""
    job = TierRecalculationJob.claim(job_id, scorer=scorer)
    return job.run() if job else None


def weekly_slot(restaurant: Restaurant, *, weekday: int, hour: int, now: datetime) -> datetime:
    """The latest local (weekday, hour) at or before now: this week's run time, or last week's if not yet."""
    zone = ZoneInfo(restaurant.timezone)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    slot = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    if slot > local:
        slot -= timedelta(days=7)
    return slot


def weekly_tier_jobs_dispatch(*, now: datetime | None = None, enqueue: bool = True) -> list[TierJob]:
    """Create (and send) the weekly job of every restaurant whose local run time has come this week and
    whose scheduled job for that period does not exist yet. A few queries, whatever the restaurant count."""
    now = now or timezone.now()
    restaurants = list(restaurants_with_tracked_staff())
    schedules = {
        row["restaurant_id"]: (row["run_weekday"], row["run_hour"])
        for row in TierSettings.objects.filter(restaurant__in=restaurants).values(
            "restaurant_id", "run_weekday", "run_hour"
        )
    }
    due = {}
    for restaurant in restaurants:
        weekday, hour = schedules.get(restaurant.pk, (0, 4))
        slot = weekly_slot(restaurant, weekday=weekday, hour=hour, now=now)
        due[restaurant.pk] = (restaurant, period_end_for(restaurant, slot))
    done = set(
        TierJob.objects.filter(
            restaurant_id__in=list(due),
            trigger=TierJobTrigger.SCHEDULE,
            period_end__in=[end for _, end in due.values()],
        ).values_list("restaurant_id", "period_end")
    )
    started = []
    for restaurant_id, (restaurant, period_end) in due.items():
        if (restaurant_id, period_end) in done:
            continue
        job, created = tier_job_request(
            restaurant=restaurant, trigger=TierJobTrigger.SCHEDULE, period_end=period_end, enqueue=enqueue
        )
        if created:
            started.append(job)
    return started
