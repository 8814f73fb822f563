"""DashboardService: one staff member's page in data, for the waiter endpoints and the dashboards.

Reads only. This month's figures and the six-month trend come from one monthly aggregation (the current
month is the trend's last point), so the whole dashboard is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from staff.engine import Metrics, derive
from staff.engine.metrics import Aggregates
from staff.models import StaffMember
from staff.selectors import latest_insights, performance_aggregates, recent_shifts, tier_history

TREND_MONTHS = 6
STAT_FIELDS = (
    "shifts",
    "hours",
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


def _month_start(day: date, back: int, zone) -> datetime:
    month = day.month - back
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=zone)


def _figures(metrics: Metrics) -> dict:
    values = {}
    for name in STAT_FIELDS:
        value = getattr(metrics, name)
        values[name] = round(value, 4) if isinstance(value, float) else value
    return values


@dataclass
class DashboardService:
    """A staff member's stats (this month), trends (6 months), insights, recent shifts and tier."""

    staff: StaffMember
    now: datetime | None = None

    def __post_init__(self):
        self.now = self.now or timezone.now()
        self.zone = ZoneInfo(self.staff.restaurant.timezone)
        self._monthly: dict[date, Metrics] | None = None

    def _months(self) -> list[datetime]:
        today = self.now.astimezone(self.zone).date()
        return [_month_start(today, back, self.zone) for back in range(TREND_MONTHS - 1, -1, -1)]

    def monthly(self) -> dict[date, Metrics]:
        if self._monthly is None:
            months = self._months()
            sums = performance_aggregates(
                restaurant=self.staff.restaurant,
                start=months[0],
                end=self.now,
                staff_ids=[self.staff.pk],
                by_month=True,
            )
            self._monthly = {bucket: derive(agg) for (_, bucket), agg in sums.items()}
        return self._monthly

    def _empty(self) -> Metrics:
        return derive(Aggregates(staff_id=self.staff.pk, role=self.staff.role))

    def stats(self) -> dict:
        month = self._months()[-1]
        metrics = self.monthly().get(month.date()) or self._empty()
        return {"period_start": month, "period_end": self.now, **_figures(metrics)}

    def trends(self) -> list[dict]:
        monthly = self.monthly()
        return [
            {"month": month.date().isoformat()[:7], **_figures(monthly.get(month.date()) or self._empty())}
            for month in self._months()
        ]

    def insights(self) -> dict | None:
        row = latest_insights(staff=self.staff)
        if row is None:
            return None
        return {
            "strengths": row.strengths,
            "areas_to_improve": row.areas_to_improve,
            "suggestions": row.suggestions,
            "source": row.source,
            "model_name": row.model_name,
            "score": row.score,
            "fallback_reason": row.fallback_reason,
            "generated_at": row.generated_at,
            "metrics_period_end": row.metrics.period_end if row.metrics_id else None,
        }

    def shifts(self, limit: int = 10) -> list[dict]:
        return [
            {
                "id": shift.pk,
                "role": shift.role,
                "section": shift.section.name if shift.section_id else None,
                "clock_in": shift.clock_in,
                "clock_out": shift.clock_out,
                "hours": round(shift.hours(self.now), 2),
                "tables": shift.tables or 0,
                "covers": shift.covers or 0,
                "sales": shift.sales or 0,
                "tips": shift.tips or 0,
            }
            for shift in recent_shifts(staff=self.staff, limit=limit)
        ]

    def tier(self) -> dict:
        return {
            "tier": self.staff.tier,
            "score": self.staff.tier_score,
            "reason": self.staff.tier_reason,
            "locked": self.staff.tier_locked,
            "updated_at": self.staff.tier_updated_at,
            "history": [
                {
                    "tier": row.tier,
                    "previous_tier": row.previous_tier,
                    "score": row.score,
                    "reason": row.reason,
                    "computed_at": row.computed_at,
                    "period_end": (row.components or {}).get("period_end"),
                }
                for row in tier_history(staff=self.staff)
            ],
        }

    def dashboard(self) -> dict:
        return {
            "waiter": {
                "id": self.staff.pk,
                "name": self.staff.name,
                "role": self.staff.role,
                "restaurant_id": self.staff.restaurant_id,
                "is_performance_tracked": self.staff.is_performance_tracked,
            },
            "stats": self.stats(),
            "trends": self.trends(),
            "insights": self.insights(),
            "shifts": self.shifts(),
            "tier": self.tier(),
        }
