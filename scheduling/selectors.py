"""Read queries for scheduling: rows turned into the engine's inputs (the week as a `Problem`, the
covers history for the forecast) and what the dashboard, the API and the staff page show.

Visit and shift history are read from the floor's and staff's models, read-only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from floor.models import Visit
from scheduling.engine.availability import DayPart, Leave, Window, unavailable_map
from scheduling.engine.forecast import History
from scheduling.engine.problem import Locked, Person, Problem, Rules, Slot
from scheduling.models import (
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleRun,
    ScheduleStatus,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
    TimeOffStatus,
)
from staff.models import Shift, StaffMember

PRIME_WEEKDAYS = (4, 5)  # Friday and Saturday


def _hhmm(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def day_parts_of(restaurant) -> list[DayPart]:
    """The restaurant's day-parts in start order."""
    parts = [DayPart(p["key"], _hhmm(p["start"]), _hhmm(p["end"])) for p in restaurant.day_parts or []]
    return sorted(parts, key=lambda p: p.start)


def week_dates(week_start: date) -> list[date]:
    return [week_start + timedelta(days=i) for i in range(7)]


def _part_at(parts: list[DayPart], moment: time) -> str | None:
    return next((p.key for p in parts if p.start <= moment < p.end), None)


def covers_history(*, restaurant, until: date, weeks: int = 8) -> History:
    """Covers per (local date, day-part) from the visits seated in the `weeks` weeks before `until`."""
    tz = ZoneInfo(restaurant.timezone)
    parts = day_parts_of(restaurant)
    since = datetime.combine(until - timedelta(days=7 * weeks), time.min, tzinfo=tz)
    end = datetime.combine(until, time.min, tzinfo=tz)
    rows = (
        Visit.objects.for_restaurant(restaurant)
        .filter(seated_at__gte=since, seated_at__lt=end)
        .values_list("seated_at", "party_size")
    )
    covers: dict = defaultdict(float)
    for seated_at, size in rows:
        local = seated_at.astimezone(tz)
        part = _part_at(parts, local.time())
        if part:
            covers[local.date(), part] += size
    return dict(covers)


def staff_hours_history(*, restaurant, until: date, weeks: int = 8) -> dict:
    """Worked staff-hours per (local date, day-part, role), each shift counted in the day-part it overlaps most."""
    tz = ZoneInfo(restaurant.timezone)
    parts = day_parts_of(restaurant)
    since = datetime.combine(until - timedelta(days=7 * weeks), time.min, tzinfo=tz)
    end = datetime.combine(until, time.min, tzinfo=tz)
    out: dict = defaultdict(float)
    shifts = Shift.objects.for_restaurant(restaurant).filter(
        clock_in__gte=since, clock_in__lt=end, clock_out__isnull=False
    )
    for clock_in, clock_out, role in shifts.values_list("clock_in", "clock_out", "role"):
        start, stop = clock_in.astimezone(tz), clock_out.astimezone(tz)
        best, overlap = None, 0.0
        for p in parts:
            a = max(start, datetime.combine(start.date(), p.start, tzinfo=tz))
            b = min(stop, datetime.combine(start.date(), p.end, tzinfo=tz))
            if (b - a).total_seconds() > overlap:
                best, overlap = p.key, (b - a).total_seconds()
        if best:
            out[start.date(), best, role] += (stop - start).total_seconds() / 3600
    return dict(out)


def requirements_for(*, restaurant) -> QuerySet[StaffingRequirement]:
    return StaffingRequirement.objects.for_restaurant(restaurant)


def _windows(rows) -> list[Window]:
    return [
        Window(r.weekday, r.start_time, r.end_time, r.available, r.effective_from, r.effective_until, r.notes)
        for r in rows
    ]


@dataclass(frozen=True)
class WeekInputs:
    """The week as the engine sees it, and the staff rows behind its people."""

    problem: Problem
    staff: dict[int, StaffMember]


def week_problem(
    *,
    restaurant,
    week_start: date,
    targets: dict | None = None,
    covers: dict | None = None,
    rules: Rules | None = None,
    locked_from: Schedule | None = None,
) -> WeekInputs:
    """Slots from the staffing requirements (target from the forecast when given, clipped to min..max),
    people from the active staff with their preferences, availability and approved time off, locked
    items of `locked_from`, and last week's published shifts for stability."""
    parts = day_parts_of(restaurant)
    part_by_key = {p.key: p for p in parts}
    dates = week_dates(week_start)
    last_part = parts[-1].key if parts else None
    requirements = [r for r in requirements_for(restaurant=restaurant) if r.day_part in part_by_key]
    slots = []
    for day in dates:
        for r in requirements:
            if r.weekday != day.weekday() or r.max_staff == 0:
                continue
            part = part_by_key[r.day_part]
            target = r.target_staff
            if targets and targets.get((day, r.day_part, r.role)) is not None:
                target = min(r.max_staff, max(r.min_staff, targets[day, r.day_part, r.role]))
            prime = day.weekday() in PRIME_WEEKDAYS and r.day_part == last_part
            slots.append(
                Slot(
                    date=day,
                    day_part=r.day_part,
                    role=r.role,
                    start=datetime.combine(day, part.start),
                    end=datetime.combine(day, part.end),
                    min_staff=r.min_staff,
                    target=target,
                    max_staff=r.max_staff,
                    prime=prime,
                    forecast_covers=(covers or {}).get((day, r.day_part)),
                )
            )
    slots = _mark_busy(slots)
    staff = {
        s.pk: s
        for s in StaffMember.objects.for_restaurant(restaurant)
        .active()
        .prefetch_related(
            Prefetch("availability", queryset=StaffAvailability.objects.all()),
            Prefetch(
                "time_off",
                queryset=TimeOff.objects.filter(
                    status=TimeOffStatus.APPROVED, start_date__lte=dates[-1], end_date__gte=dates[0]
                ),
            ),
        )
    }
    preferences = {p.staff_id: p for p in StaffPreference.objects.for_restaurant(restaurant)}
    previous: dict[int, set] = defaultdict(set)
    last_week = published_schedule(restaurant=restaurant, week_start=week_start - timedelta(days=7))
    if last_week is not None:
        for staff_id, day, part, role in last_week.items.values_list("staff_id", "date", "day_part", "role"):
            previous[staff_id].add((day.weekday(), part, role))
    people = []
    for member in staff.values():
        pref = preferences.get(member.pk)
        roles = tuple(dict.fromkeys([member.role, *((pref.roles or []) if pref else [])]))
        leaves = [Leave(t.start_date, t.end_date, t.reason) for t in member.time_off.all()]
        people.append(
            Person(
                id=member.pk,
                name=member.name,
                roles=roles,
                tier=member.tier,
                min_hours=pref.min_hours_per_week if pref else 0,
                max_hours=pref.max_hours_per_week if pref else 40,
                max_shifts=pref.max_shifts_per_week if pref else 6,
                preferred_day_parts=frozenset(pref.day_parts or []) if pref else frozenset(),
                unavailable=unavailable_map(_windows(member.availability.all()), leaves, parts, dates),
                previous=frozenset(previous.get(member.pk, ())),
            )
        )
    locked = ()
    if locked_from is not None:
        locked = tuple(Locked(i.staff_id, i.date, i.day_part, i.role) for i in locked_from.items.filter(locked=True))
    return WeekInputs(Problem(tuple(slots), tuple(people), locked, rules or Rules()), staff)


def _mark_busy(slots: list[Slot]) -> list[Slot]:
    """Busy: prime, or in the top quarter of the week's forecast covers (targets when no forecast)."""

    def load(s: Slot) -> float:
        return s.forecast_covers if s.forecast_covers is not None else float(s.target)

    loads = sorted(load(s) for s in slots)
    cut = loads[int(len(loads) * 0.75)] if loads else 0
    return [replace(s, busy=s.prime or (load(s) >= cut and s.target > 0)) for s in slots]


def published_schedule(*, restaurant, week_start: date) -> Schedule | None:
    return (
        Schedule.objects.for_restaurant(restaurant)
        .filter(week_start=week_start, status=ScheduleStatus.PUBLISHED)
        .first()
    )


def schedules_for(*, restaurant) -> QuerySet[Schedule]:
    return Schedule.objects.for_restaurant(restaurant)


def latest_schedule(*, restaurant, week_start: date) -> Schedule | None:
    """The schedule a manager works on for a week: the newest draft, else the published version."""
    rows = Schedule.objects.for_restaurant(restaurant).filter(week_start=week_start)
    return rows.filter(status=ScheduleStatus.DRAFT).first() or rows.filter(status=ScheduleStatus.PUBLISHED).first()


def schedule_items(*, schedule: Schedule) -> QuerySet[ScheduleItem]:
    return schedule.items.select_related("staff", "reasoning").order_by("date", "start_time", "role", "staff__name")


def schedule_audit(*, schedule: Schedule) -> QuerySet[ScheduleAuditEntry]:
    return schedule.audit.select_related("actor")


def runs_for(*, restaurant) -> QuerySet[ScheduleRun]:
    return ScheduleRun.objects.for_restaurant(restaurant)


def latest_run(*, restaurant, week_start: date) -> ScheduleRun | None:
    return runs_for(restaurant=restaurant).filter(week_start=week_start).first()


def staff_member_of(*, user, restaurant) -> StaffMember | None:
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "staff_profiles"):
        return None
    return StaffMember.objects.for_restaurant(restaurant).filter(user=user).first()


def published_shifts_of(*, staff: StaffMember, since: date) -> QuerySet[ScheduleItem]:
    """A staff member's shifts in published schedules from `since` on."""
    return (
        ScheduleItem.objects.filter(staff=staff, schedule__status=ScheduleStatus.PUBLISHED, date__gte=since)
        .select_related("schedule", "section", "reasoning")
        .order_by("date", "start_time")
    )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def engine_targets(*, schedule: Schedule | None) -> dict:
    """The targets the engine used for a generated schedule (the forecast's, within min..max), by
    (date, day-part, role); empty for a schedule made by hand."""
    run = schedule.runs.order_by("-id").first() if schedule is not None else None
    if run is None:
        return {}
    return {
        (date.fromisoformat(c["date"]), c["day_part"], c["role"]): c["target"]
        for c in (run.summary or {}).get("coverage", [])
    }


def week_grid(*, restaurant, schedule: Schedule | None, week_start: date) -> dict:
    """The schedule dashboard's grid: for each role, each day, each day-part, the shifts (with reasons)
    and the requirement (with the engine's target where it set one), so a template draws it without a
    query of its own."""
    targets = engine_targets(schedule=schedule)
    parts = day_parts_of(restaurant)
    dates = week_dates(week_start)
    requirements = {(r.weekday, r.day_part, r.role): r for r in requirements_for(restaurant=restaurant)}
    items = list(schedule_items(schedule=schedule)) if schedule is not None else []
    cells: dict = defaultdict(list)
    for item in items:
        cells[item.role, item.date, item.day_part].append(item)
    roles = sorted({role for (_, _, role) in requirements} | {i.role for i in items})
    rows = []
    for role in roles:
        days = []
        for day in dates:
            blocks = []
            for part in parts:
                req = requirements.get((day.weekday(), part.key, role))
                shifts = cells.get((role, day, part.key), [])
                if req is None and not shifts:
                    continue
                target = targets.get((day, part.key, role), req.target_staff if req else 0)
                heads = len(shifts)
                minimum = req.min_staff if req else 0
                level = "short" if heads < minimum else "under" if heads < target else "met"
                blocks.append(
                    {
                        "day_part": part.key,
                        "items": shifts,
                        "heads": heads,
                        "min": minimum,
                        "target": target,
                        "max": req.max_staff if req else 0,
                        "level": level,
                        "ratio": round(heads / target, 2) if target else 1.0,
                    }
                )
            days.append({"date": day, "blocks": blocks})
        rows.append({"role": role, "days": days})
    return {"dates": dates, "day_parts": parts, "rows": rows, "item_count": len(items)}


def team_for(*, restaurant) -> QuerySet[StaffMember]:
    return StaffMember.objects.for_restaurant(restaurant).active().order_by("role", "name")
