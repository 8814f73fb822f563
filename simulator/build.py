"""The restaurant before service: floor plan, staff with their skills, availability, preferences,
time off and staffing requirements. Deterministic for a config and a random generator."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from simulator.config import FIRST_NAMES, LAST_NAMES, ROLES, TABLE_KINDS, RestaurantConfig
from simulator.records import (
    AvailabilityRecord,
    PreferenceRecord,
    RequirementRecord,
    SectionRecord,
    StaffRecord,
    TableRecord,
    TimeOffRecord,
)

BASE_RATES = {
    "server": Decimal("10.65"),
    "bartender": Decimal("12.50"),
    "host": Decimal("17.00"),
    "busser": Decimal("11.00"),
    "runner": Decimal("11.00"),
}


@dataclass(frozen=True)
class StaffProfile:
    """Everything about the staff that scheduling reads: availability, preferences, time off."""

    availability: tuple[AvailabilityRecord, ...]
    preferences: tuple[PreferenceRecord, ...]
    time_off: tuple[TimeOffRecord, ...]


def rotated_bbox(width: float, height: float, degrees: float) -> tuple[float, float]:
    """Width and height of the axis-aligned box around a rectangle rotated about its centre."""
    rad = math.radians(degrees)
    return (
        abs(width * math.cos(rad)) + abs(height * math.sin(rad)),
        abs(width * math.sin(rad)) + abs(height * math.cos(rad)),
    )


def build_floor(config: RestaurantConfig) -> tuple[tuple[SectionRecord, ...], tuple[TableRecord, ...]]:
    """Sections and tables laid out on a grid inside each section's rectangle, never overlapping."""
    sections, tables = [], []
    counters: dict[str, int] = {}
    for s_index, plan in enumerate(config.sections):
        sections.append(SectionRecord(s_index, plan.name, plan.color, s_index, plan.region, plan.served_by))
        kinds = [TABLE_KINDS[key] for key, count in plan.tables for _ in range(count)]
        columns = min(plan.columns, len(kinds))
        rows = math.ceil(len(kinds) / columns)
        rx, ry, rw, rh = plan.region
        cell_w, cell_h = rw / columns, rh / rows
        initials = "".join(word[0] for word in plan.name.split()).upper()
        for position, kind in enumerate(kinds):
            row, col = divmod(position, columns)
            # Only square tables turn into diamonds; rotating a long table would not fit the grid.
            rotation = plan.rotation if kind.width == kind.height and kind.shape == "rect" else 0.0
            box_w, box_h = rotated_bbox(kind.width, kind.height, rotation)
            scale = min(1.0, 0.85 * cell_w / box_w, 0.85 * cell_h / box_h)
            width, height = round(kind.width * scale, 1), round(kind.height * scale, 1)
            x = rx + col * cell_w + (cell_w - width) / 2
            y = ry + row * cell_h + (cell_h - height) / 2
            counters[plan.label_prefix] = counters.get(plan.label_prefix, 0) + 1
            group = ""
            partner = position ^ 1  # neighbours in pairs: (0, 1), (2, 3)...
            if (
                plan.combinable
                and partner < len(kinds)
                and partner // columns == row
                and kinds[partner].key == kind.key
            ):
                group = f"{initials}-{row + 1}{'abcdefghij'[col // 2]}"
            tables.append(
                TableRecord(
                    index=len(tables),
                    label=f"{plan.label_prefix}{counters[plan.label_prefix]}",
                    section=s_index,
                    min_seats=kind.min_seats,
                    max_seats=kind.max_seats,
                    is_booth=kind.is_booth,
                    is_patio=kind.is_patio,
                    is_high_top=kind.is_high_top,
                    is_accessible=kind.is_accessible,
                    x=round(x, 1),
                    y=round(y, 1),
                    width=width,
                    height=height,
                    shape=kind.shape,
                    rotation=rotation,
                    combinable_group=group,
                )
            )
    return tuple(sections), tuple(tables)


def build_staff(config: RestaurantConfig, rng: random.Random, start: date) -> tuple[StaffRecord, ...]:
    """Staff of every role with skills spread from novice to expert; the skilled have been here longer."""
    total = sum(count for _, count in config.staff_counts)
    # Distinct first names, so initials and rotation boards read easily.
    firsts = rng.sample(FIRST_NAMES, total)
    lasts = (rng.sample(LAST_NAMES, len(LAST_NAMES)) * (total // len(LAST_NAMES) + 1))[:total]
    unique = [f"{first} {last}" for first, last in zip(firsts, lasts, strict=True)]
    staff = []
    for role, count in config.staff_counts:
        skills = [0.15 + 0.8 * (i + rng.random()) / count for i in range(count)]
        rng.shuffle(skills)
        for skill in skills:
            index = len(staff)
            name = unique[index]
            tenure_days = int(60 + skill * 1500 + rng.random() * 200)
            bonus = Decimal(str(round(skill * 3, 2)))
            staff.append(
                StaffRecord(
                    index=index,
                    name=name,
                    role=role,
                    skill=round(skill, 3),
                    hourly_rate=(BASE_RATES[role] + bonus).quantize(Decimal("0.01")),
                    email=name.lower().replace(" ", ".") + "@example.com",
                    phone=f"+1 212 555 {1000 + index:04d}",
                    hired_on=start - timedelta(days=tenure_days),
                )
            )
    return tuple(staff)


def build_profiles(
    config: RestaurantConfig,
    staff: tuple[StaffRecord, ...],
    sections: tuple[SectionRecord, ...],
    rng: random.Random,
    start: date,
    end: date,
) -> StaffProfile:
    """Availability windows, preferences and time off for each staff member, consistent with each other."""
    keys = [part.key for part in config.day_parts]
    first, last = config.day_parts[0], config.day_parts[-1]
    availability, preferences, time_off = [], [], []
    for member in staff:
        draw = rng.random()
        if len(keys) == 1 or draw < 0.4:
            parts = tuple(keys)
        elif draw < 0.75:
            parts = (last.key,)
        else:
            parts = (first.key,)
        window_start = _minus_minutes(min(config.day_part(k).start for k in parts), 60)
        window_end = time(23, 59) if last.key in parts else _plus_minutes(first.end, 60)
        days = sorted(rng.sample(range(7), rng.choice((5, 6, 6, 7))))
        for weekday in days:
            availability.append(AvailabilityRecord(member.index, weekday, window_start, window_end))
        if rng.random() < 0.2:
            weekday = rng.choice(days)
            availability.append(
                AvailabilityRecord(member.index, weekday, time(9, 0), time(13, 0), available=False, notes="Class")
            )
        roles = [member.role]
        if member.role == "server" and rng.random() < 0.25:
            roles.append("host")
        if member.role == "busser" and rng.random() < 0.5:
            roles.append("runner")
        served = [s.index for s in sections if s.served_by == member.role]
        liked = tuple(sorted(rng.sample(served, min(len(served), rng.choice((1, 2)))))) if served else ()
        min_hours = rng.choice((0, 10, 15, 20, 25))
        max_hours = min(40, min_hours + rng.choice((10, 15, 20)))
        preferences.append(
            PreferenceRecord(
                staff=member.index,
                roles=tuple(roles),
                day_parts=parts,
                sections=liked,
                min_hours=min_hours,
                max_hours=max_hours,
                max_shifts=rng.choice((4, 5, 5, 6)),
            )
        )
        span = (end - start).days
        if rng.random() < config.time_off_share and span > 7:
            begin = start + timedelta(days=rng.randrange(span))
            time_off.append(
                TimeOffRecord(
                    member.index,
                    begin,
                    begin + timedelta(days=rng.randrange(4)),
                    rng.choice(("Family visit", "Vacation", "Exams", "Wedding")),
                    "approved",
                )
            )
        if rng.random() < 0.2:
            begin = end + timedelta(days=7 + rng.randrange(28))
            status = "denied" if rng.random() < 0.2 else "requested"
            time_off.append(
                TimeOffRecord(member.index, begin, begin + timedelta(days=rng.randrange(1, 5)), "Trip", status)
            )
    return StaffProfile(tuple(availability), tuple(preferences), tuple(time_off))


def build_requirements(config: RestaurantConfig) -> tuple[RequirementRecord, ...]:
    """The staffing each weekday's day-part needs: the config's targets, one either side."""
    records = []
    for part in config.day_parts:
        for weekday in range(7):
            for role in ROLES:
                target = config.staffing_target(part.key, role, weekday)
                records.append(RequirementRecord(weekday, part.key, role, max(0, target - 1), target, target + 1))
    return tuple(records)


def _minus_minutes(value: time, minutes: int) -> time:
    total = max(0, value.hour * 60 + value.minute - minutes)
    return time(total // 60, total % 60)


def _plus_minutes(value: time, minutes: int) -> time:
    total = min(23 * 60 + 59, value.hour * 60 + value.minute + minutes)
    return time(total // 60, total % 60)
