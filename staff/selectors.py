"""Read queries about staff: who is on the floor now (the floor reads it), and the performance sums,
snapshots, insights and jobs behind tiers and the staff dashboards."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Now, TruncMonth

from floor.models import Visit, VisitItem
from restaurant.models import Restaurant
from restaurant.selectors import restaurants_for
from staff.engine import Aggregates, TierPolicy
from staff.models import (
    PERFORMANCE_TRACKED_ROLES,
    Shift,
    ShiftBreak,
    StaffMember,
    Tier,
    TierHistory,
    TierJob,
    TierSettings,
    WaiterInsights,
    WaiterMetrics,
)


@dataclass(frozen=True)
class OnFloor:
    """A staff member clocked in now, as the floor sees them."""

    shift: Shift
    on_break: bool

    @property
    def staff(self):
        return self.shift.staff

    @property
    def can_take_tables(self) -> bool:
        """Clocked in as a server or bartender, not on break, not cut."""
        return not self.on_break and not self.shift.cut and self.shift.role in PERFORMANCE_TRACKED_ROLES


def shifts_on_floor(*, restaurant, at: datetime | None = None) -> list[OnFloor]:
    """Everyone clocked in now (or at `at`), with whether they are on break. One query."""
    shifts = Shift.objects.for_restaurant(restaurant).select_related("staff", "section")
    if at is None:
        shifts = shifts.open()
        open_breaks = ShiftBreak.objects.filter(shift=OuterRef("pk"), ended_at__isnull=True)
    else:
        shifts = shifts.filter(clock_in__lte=at).exclude(clock_out__lte=at)
        open_breaks = ShiftBreak.objects.filter(shift=OuterRef("pk"), started_at__lte=at).exclude(ended_at__lte=at)
    shifts = shifts.annotate(on_break=Exists(open_breaks)).order_by("clock_in", "id")
    return [OnFloor(shift=shift, on_break=shift.on_break) for shift in shifts]


def servers_available_for_tables(*, restaurant, at: datetime | None = None) -> list[OnFloor]:
    """Who may be given a new party now: the routing engine's hard rule on servers."""
    return [entry for entry in shifts_on_floor(restaurant=restaurant, at=at) if entry.can_take_tables]


# --- Performance: the sums behind metrics, tiers and the dashboards -------------------------------------------
#
# Each function below runs a fixed number of GROUP BY queries, whatever the number of staff or visits: the
# database sums, numpy (staff.engine) divides. Floor rows (visits and their items) are read here directly
# against floor's models, read-only: floor.selectors imports this module, so importing it back would loop.


def _duration(end: str, start: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _minutes(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 60
    return float(value) / 60e6  # a backend handing back microseconds


def _bucket(row: dict, by_month: bool):
    return row["bucket"].date() if by_month and row.get("bucket") is not None else None


def tracked_staff(*, restaurant, staff_ids: Iterable[int] | None = None, active_only: bool = True) -> QuerySet:
    """Servers and bartenders of the restaurant: the staff whose performance is measured."""
    staff = StaffMember.objects.for_restaurant(restaurant).performance_tracked()
    if active_only:
        staff = staff.active()
    if staff_ids is not None:
        staff = staff.filter(pk__in=list(staff_ids))
    return staff


def performance_aggregates(
    *,
    restaurant,
    start: datetime,
    end: datetime,
    staff_ids: Iterable[int] | None = None,
    by_month: bool = False,
) -> dict[tuple[int, date | None], Aggregates]:
    """The sums of every performance-tracked staff member over [start, end), keyed by (staff id, month or
    None). Visits count when seated in the window and closed; shifts when clocked in within it and out.
    Months are the restaurant's local months. Six queries, whatever the staff or visit count."""
    zone = ZoneInfo(restaurant.timezone)
    roles = dict(tracked_staff(restaurant=restaurant, staff_ids=staff_ids, active_only=False).values_list("pk", "role"))
    ids = list(roles)
    if not ids:
        return {}

    visits = Visit.objects.for_restaurant(restaurant).filter(
        seated_at__gte=start, seated_at__lt=end, closed_at__isnull=False
    )
    # The restaurant's usual turn per party size over the window: the yardstick for a server's pace.
    usual = {
        row["party_size"]: _minutes(row["turn"])
        for row in visits.values("party_size").annotate(turn=Avg(_duration("closed_at", "seated_at")))
    }

    def grouped(queryset, when: str, *keys: str):
        if by_month:
            queryset = queryset.annotate(bucket=TruncMonth(when, tzinfo=zone))
            keys = (*keys, "bucket")
        return queryset.values(*keys)

    sums: dict[tuple[int, date | None], dict] = {}

    def slot(staff_id, bucket):
        return sums.setdefault(
            (staff_id, bucket),
            {
                "items": {},
                "turn_ratio_sum": 0.0,
                "turn_minutes": 0.0,
                "visits": 0,
                "covers": 0,
                "sales": 0.0,
                "tips": 0.0,
                "discounts": 0.0,
                "discounted_visits": 0,
                "lines": 0,
                "voided_lines": 0,
                "shifts": 0,
                "hours": 0.0,
            },
        )

    visit_rows = grouped(visits.filter(server_id__in=ids), "seated_at", "server_id", "party_size").annotate(
        n=Count("id"),
        covers=Sum("party_size"),
        sales=Sum("subtotal"),
        tips=Sum("tip"),
        discounts=Sum("discount"),
        discounted=Count("id", filter=Q(discount__gt=0)),
        turn=Sum(_duration("closed_at", "seated_at")),
    )
    for row in visit_rows:
        entry = slot(row["server_id"], _bucket(row, by_month))
        turn = _minutes(row["turn"])
        entry["visits"] += row["n"]
        entry["covers"] += row["covers"] or 0
        entry["sales"] += float(row["sales"] or 0)
        entry["tips"] += float(row["tips"] or 0)
        entry["discounts"] += float(row["discounts"] or 0)
        entry["discounted_visits"] += row["discounted"]
        entry["turn_minutes"] += turn
        if usual.get(row["party_size"]):
            entry["turn_ratio_sum"] += turn / usual[row["party_size"]]

    items = VisitItem.objects.filter(visit__in=visits.filter(server_id__in=ids))
    item_rows = grouped(items, "visit__seated_at", "visit__server_id", "category", "voided").annotate(
        quantity=Sum("quantity"), lines=Count("id")
    )
    for row in item_rows:
        entry = slot(row["visit__server_id"], _bucket(row, by_month))
        entry["lines"] += row["lines"]
        if row["voided"]:
            entry["voided_lines"] += row["lines"]
        else:
            entry["items"][row["category"]] = entry["items"].get(row["category"], 0) + (row["quantity"] or 0)

    shifts = Shift.objects.for_restaurant(restaurant).filter(
        staff_id__in=ids, clock_in__gte=start, clock_in__lt=end, clock_out__isnull=False
    )
    for row in grouped(shifts, "clock_in", "staff_id").annotate(
        n=Count("id"), worked=Sum(_duration("clock_out", "clock_in"))
    ):
        entry = slot(row["staff_id"], _bucket(row, by_month))
        entry["shifts"] += row["n"]
        entry["hours"] += _minutes(row["worked"]) / 60
    breaks = ShiftBreak.objects.filter(shift__in=shifts, paid=False, ended_at__isnull=False)
    for row in grouped(breaks, "shift__clock_in", "shift__staff_id").annotate(
        off=Sum(_duration("ended_at", "started_at"))
    ):
        entry = slot(row["shift__staff_id"], _bucket(row, by_month))
        entry["hours"] = max(0.0, entry["hours"] - _minutes(row["off"]) / 60)

    return {
        (staff_id, bucket): Aggregates(staff_id=staff_id, role=roles[staff_id], **values)
        for (staff_id, bucket), values in sums.items()
    }


def restaurants_with_tracked_staff() -> QuerySet[Restaurant]:
    """Restaurants with at least one active server or bartender: those the weekly tier job runs for."""
    staffed = StaffMember.objects.filter(active=True, role__in=PERFORMANCE_TRACKED_ROLES).values("restaurant_id")
    return Restaurant.objects.filter(pk__in=staffed).order_by("id")


def tier_policy_for(*, restaurant) -> TierPolicy:
    """The restaurant's tier settings as the engine reads them; the documented defaults when it has none."""
    row = TierSettings.objects.filter(restaurant=restaurant).first()
    return row.policy() if row else TierPolicy()


def tier_schedule_for(*, restaurant) -> tuple[int, int]:
    """(weekday 0 = Monday, local hour) of the restaurant's weekly tier job."""
    row = TierSettings.objects.filter(restaurant=restaurant).values("run_weekday", "run_hour").first()
    return (row["run_weekday"], row["run_hour"]) if row else (0, 4)


def metrics_snapshots(*, restaurant, period_end: datetime) -> dict[int, WaiterMetrics]:
    """The stored 30-day snapshots ending at `period_end`, by staff id."""
    rows = WaiterMetrics.objects.for_restaurant(restaurant).filter(period_end=period_end)
    return {row.staff_id: row for row in rows}


def insights_for_metrics(*, metrics_ids: Iterable[int]) -> set[int]:
    """Which of these snapshots already have their insights written."""
    return set(WaiterInsights.objects.filter(metrics_id__in=list(metrics_ids)).values_list("metrics_id", flat=True))


@dataclass(frozen=True)
class TeamRow:
    """One line of the team page: a tracked staff member, their latest snapshot and the one before it."""

    staff: StaffMember
    latest: WaiterMetrics | None
    previous: WaiterMetrics | None

    def trend(self, field: str) -> str:
        """'up', 'down' or 'flat' against the previous snapshot (a 2% band counts as flat); '' without one."""
        if self.latest is None or self.previous is None:
            return ""
        now, before = getattr(self.latest, field), getattr(self.previous, field)
        if now is None or before is None:
            return ""
        now, before = float(now), float(before)
        band = abs(before) * 0.02
        return "up" if now > before + band else "down" if now < before - band else "flat"


def team_performance(*, restaurant) -> list[TeamRow]:
    """The team page: every tracked active staff member with their last two snapshots. Three queries."""
    staff = list(tracked_staff(restaurant=restaurant).order_by("name", "id"))
    ends = list(
        WaiterMetrics.objects.for_restaurant(restaurant)
        .values_list("period_end", flat=True)
        .distinct()
        .order_by("-period_end")[:2]
    )
    snapshots: dict[tuple[int, datetime], WaiterMetrics] = {}
    if ends:
        for row in WaiterMetrics.objects.for_restaurant(restaurant).filter(period_end__in=ends):
            snapshots[(row.staff_id, row.period_end)] = row
    latest_end = ends[0] if ends else None
    previous_end = ends[1] if len(ends) > 1 else None
    return [
        TeamRow(member, snapshots.get((member.pk, latest_end)), snapshots.get((member.pk, previous_end)))
        for member in staff
    ]


def tier_distribution(rows: Iterable[TeamRow]) -> dict[str, int]:
    counts = {tier: 0 for tier in Tier.values}
    for row in rows:
        counts[row.staff.tier] += 1
    return counts


def waiters_visible_to(user) -> QuerySet:
    """Staff members of the restaurants a user or key may see (the waiter endpoints look ids up here)."""
    return StaffMember.objects.for_restaurants(restaurants_for(user)).select_related("restaurant")


def recent_shifts(*, staff: StaffMember, limit: int = 10) -> list[Shift]:
    """A staff member's latest shifts, each with the visits and covers they served in it. One query."""
    # Seated while the shift ran: from clock-in to clock-out, or to now for the shift in progress.
    served = Visit.objects.filter(
        server_id=OuterRef("staff_id"),
        seated_at__gte=OuterRef("clock_in"),
        seated_at__lt=Coalesce(OuterRef("clock_out"), Now()),
    )
    covers = served.values("server_id").annotate(total=Sum("party_size")).values("total")
    tables = served.values("server_id").annotate(total=Count("id")).values("total")
    sales = served.values("server_id").annotate(total=Sum("subtotal")).values("total")
    tips = served.values("server_id").annotate(total=Sum("tip")).values("total")
    return list(
        Shift.objects.filter(staff=staff)
        .select_related("section")
        .annotate(
            covers=Subquery(covers, output_field=IntegerField()),
            tables=Subquery(tables, output_field=IntegerField()),
            sales=Subquery(sales, output_field=DecimalField(max_digits=12, decimal_places=2)),
            tips=Subquery(tips, output_field=DecimalField(max_digits=12, decimal_places=2)),
        )
        .order_by("-clock_in", "-id")[:limit]
    )


def latest_insights(*, staff: StaffMember) -> WaiterInsights | None:
    return WaiterInsights.objects.filter(staff=staff).select_related("metrics").order_by("-generated_at", "-id").first()


def tier_history(*, staff: StaffMember, limit: int = 12) -> list[TierHistory]:
    return list(
        TierHistory.objects.filter(staff=staff).select_related("changed_by").order_by("-computed_at", "-id")[:limit]
    )


def tier_job(*, restaurant, job_id: int) -> TierJob | None:
    return TierJob.objects.for_restaurant(restaurant).filter(pk=job_id).first()


def latest_tier_job(*, restaurant) -> TierJob | None:
    return TierJob.objects.for_restaurant(restaurant).order_by("-created_at", "-id").first()
