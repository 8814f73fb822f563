"""MetricsAggregator: a restaurant's 30-day performance figures per server, summed by the database and
stored as one WaiterMetrics snapshot per staff member and period.

A period ends at a local midnight (`period_end_for`), so every run on the same day, and the weekly run
and a manual one on the same day, look at the very same window and write the very same numbers: a
snapshot is only written when a figure differs from the stored one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from staff.engine import Metrics, derive
from staff.models import WaiterMetrics
from staff.selectors import metrics_snapshots, performance_aggregates

WINDOW_DAYS = 30

# WaiterMetrics fields written from engine Metrics (money as Decimal, counts as int, rates as float).
MONEY_FIELDS = ("sales", "tips", "avg_check", "sales_per_cover", "discounts")
SNAPSHOT_FIELDS = (
    "role",
    "shifts_worked",
    "hours_worked",
    "visits",
    "covers",
    "sales",
    "tips",
    "tip_pct",
    "avg_check",
    "sales_per_cover",
    "covers_per_hour",
    "avg_turn_minutes",
    "turn_ratio",
    "drink_attach_rate",
    "alcohol_attach_rate",
    "appetizer_attach_rate",
    "dessert_attach_rate",
    "upsell_per_cover",
    "voided_lines",
    "void_rate",
    "discounts",
    "discount_rate",
)


def period_end_for(restaurant, at: datetime | None = None) -> datetime:
    """Local midnight at the start of `at`'s local day (default: now), as an aware datetime."""
    zone = ZoneInfo(restaurant.timezone)
    local = (at or timezone.now()).astimezone(zone)
    return datetime(local.year, local.month, local.day, tzinfo=zone)


def _snapshot_values(metrics: Metrics) -> dict:
    values = {}
    for name in SNAPSHOT_FIELDS:
        source = {"shifts_worked": "shifts", "hours_worked": "hours"}.get(name, name)
        value = getattr(metrics, source)
        if name in MONEY_FIELDS:
            value = None if value is None else Decimal(str(round(value, 2)))
        elif isinstance(value, float):
            value = round(value, 6)
        values[name] = value
    if values["sales"] is None:
        values["sales"] = Decimal("0")
    return values


def _same(stored: WaiterMetrics, values: dict) -> bool:
    for name, value in values.items():
        current = getattr(stored, name)
        if isinstance(value, float) and current is not None:
            if abs(float(current) - value) > 1e-6:
                return False
        elif current != value:
            return False
    return True


@dataclass
class SnapshotResult:
    snapshots: dict[int, WaiterMetrics]  # staff id -> the stored snapshot (new or unchanged)
    written: set[int]  # staff ids whose snapshot was created or changed


class MetricsAggregator:
    """The 30-day figures of a restaurant's servers and bartenders, and their stored snapshots."""

    def __init__(self, restaurant, *, window_days: int = WINDOW_DAYS):
        self.restaurant = restaurant
        self.window = timedelta(days=window_days)

    def window_for(self, period_end: datetime) -> tuple[datetime, datetime]:
        return period_end - self.window, period_end

    def compute(self, *, period_end: datetime, staff_ids=None) -> dict[int, Metrics]:
        """Metrics per staff member over the window ending at `period_end` (reads only)."""
        start, end = self.window_for(period_end)
        sums = performance_aggregates(restaurant=self.restaurant, start=start, end=end, staff_ids=staff_ids)
        return {staff_id: derive(agg) for (staff_id, _), agg in sums.items()}

    def snapshot(self, *, period_end: datetime, metrics: dict[int, Metrics]) -> SnapshotResult:
        """Store the figures: create or update only the snapshots whose numbers differ. Three queries."""
        start, end = self.window_for(period_end)
        stored = metrics_snapshots(restaurant=self.restaurant, period_end=end)
        now = timezone.now()
        rows, written = [], set()
        for staff_id, figures in metrics.items():
            values = _snapshot_values(figures)
            current = stored.get(staff_id)
            if current is not None and current.period_start == start and _same(current, values):
                continue
            written.add(staff_id)
            rows.append(
                WaiterMetrics(
                    restaurant=self.restaurant,
                    staff_id=staff_id,
                    period_start=start,
                    period_end=end,
                    computed_at=now,
                    **values,
                )
            )
        if rows:
            WaiterMetrics.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["staff", "period_start", "period_end"],
                update_fields=[*SNAPSHOT_FIELDS, "computed_at"],
                batch_size=500,
            )
            stored = metrics_snapshots(restaurant=self.restaurant, period_end=end)
        return SnapshotResult(snapshots={k: v for k, v in stored.items() if k in metrics}, written=written)
