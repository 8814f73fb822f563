"""Writes a simulated History into the database as one restaurant, fast: one bulk_create per model.

The simulator's integer indices become primary keys as rows are created (SQLite and PostgreSQL
both return them from bulk inserts), so children are built after their parents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from floor.models import MenuItem, Section, Table, TableStateChange, Visit, VisitItem, WaitlistEntry
from restaurant.models import Restaurant
from scheduling.models import StaffAvailability, StaffingRequirement, StaffPreference, TimeOff
from simulator.history import History
from staff.models import Shift, ShiftBreak, StaffMember

BATCH = 2000
JoinedTable = Visit.joined_tables.through


@dataclass
class LoadResult:
    """The restaurant written, and how many rows of each kind."""

    restaurant: Restaurant
    counts: dict[str, int]


Progress = Callable[[str, int], None]  # called with a label and the rows just written


def rows_to_write(history: History) -> int:
    """How many rows history_load will create: the total a progress bar counts to."""
    visits = history.visits()
    profiles = history.profiles
    return (
        1
        + len(history.restaurant.sections)
        + len(history.restaurant.tables)
        + len(history.config.menu)
        + len(history.restaurant.staff)
        + len(profiles.availability)
        + len(profiles.time_off)
        + len(profiles.preferences)
        + sum(len(p.sections) for p in profiles.preferences)
        + len(history.requirements)
        + sum(1 + len(s.breaks) for s in history.shifts())
        + len(history.waitlist())
        + sum(1 + len(v.joined_tables) + len(v.items) for v in visits)
        + sum(len(service.state_changes) for service in history.services)
    )


@transaction.atomic
def history_load(*, history: History, progress: Progress | None = None) -> LoadResult:
    """Create a restaurant with everything the history holds. All or nothing."""
    progress = progress or (lambda _label, _rows: None)
    config = history.config
    sim = history.restaurant
    counts: dict[str, int] = {}

    def created(label: str, rows: list) -> list:
        out = rows[0]._meta.model.objects.bulk_create(rows, batch_size=BATCH) if rows else []
        counts[label] = counts.get(label, 0) + len(out)
        progress(label, len(out))
        return out

    restaurant = Restaurant(
        name=config.name,
        timezone=config.timezone,
        currency=config.currency,
        opening_hours=config.opening_hours(),
        day_parts=config.day_parts_json(),
    )
    restaurant.full_clean()
    restaurant.save()
    progress("restaurant", 1)

    sections = created(
        "sections",
        [Section(restaurant=restaurant, name=s.name, color=s.color, sort_order=s.sort_order) for s in sim.sections],
    )
    now = history.now or timezone.now()
    tables = created(
        "tables",
        [
            Table(
                restaurant=restaurant,
                section=sections[t.section],
                label=t.label,
                min_seats=t.min_seats,
                max_seats=t.max_seats,
                is_booth=t.is_booth,
                is_patio=t.is_patio,
                is_high_top=t.is_high_top,
                is_accessible=t.is_accessible,
                x=t.x,
                y=t.y,
                width=t.width,
                height=t.height,
                shape=t.shape,
                rotation=t.rotation,
                combinable_group=t.combinable_group,
                state=history.table_states[t.index][0],
                state_changed_at=history.table_states[t.index][1] or now,
            )
            for t in sim.tables
        ],
    )
    menu = created(
        "menu items",
        [
            MenuItem(restaurant=restaurant, name=m.name, category=m.category, price=m.price, pos_item_id=m.pos_item_id)
            for m in config.menu
        ],
    )
    staff = created(
        "staff",
        [
            StaffMember(
                restaurant=restaurant,
                name=s.name,
                role=s.role,
                email=s.email,
                phone=s.phone,
                hourly_rate=s.hourly_rate,
                hired_on=s.hired_on,
            )
            for s in sim.staff
        ],
    )
    _load_profiles(history, restaurant, staff, sections, created)

    for service in history.services:
        shifts = created(
            "shifts",
            [
                Shift(
                    restaurant=restaurant,
                    staff=staff[s.staff],
                    role=s.role,
                    section=sections[s.section] if s.section is not None else None,
                    clock_in=s.clock_in,
                    clock_out=s.clock_out,
                )
                for s in service.shifts
            ],
        )
        created(
            "breaks",
            [
                ShiftBreak(shift=shifts[position], started_at=b.started_at, ended_at=b.ended_at, paid=b.paid)
                for position, s in enumerate(service.shifts)
                for b in s.breaks
            ],
        )
        entries = created(
            "waitlist entries",
            [
                WaitlistEntry(
                    restaurant=restaurant,
                    party_name=w.party_name,
                    party_size=w.party_size,
                    phone=w.phone,
                    preferences=w.preferences,
                    status=w.status,
                    quoted_wait_minutes=w.quoted_wait_minutes,
                    added_at=w.added_at,
                    notified_at=w.notified_at,
                    seated_at=w.seated_at,
                    removed_at=w.removed_at,
                )
                for w in service.waitlist
            ],
        )
        visits = created(
            "visits",
            [
                Visit(
                    restaurant=restaurant,
                    table=tables[v.table],
                    server=staff[v.server],
                    waitlist_entry=entries[v.waitlist] if v.waitlist is not None else None,
                    party_size=v.party_size,
                    seated_at=v.seated_at,
                    closed_at=v.closed_at,
                    subtotal=v.subtotal,
                    tax=v.tax,
                    tip=v.tip,
                    discount=v.discount,
                    pos_check_id=v.pos_check_id,
                )
                for v in service.visits
            ],
        )
        # A party at tables pushed together: the visit's own table is the first, the others join it (their
        # state changes, "joined to ...", are in the service's history like the first table's).
        created(
            "joined tables",
            [
                JoinedTable(visit=visits[position], table=tables[table])
                for position, v in enumerate(service.visits)
                for table in v.joined_tables
            ],
        )
        created(
            "visit items",
            [
                VisitItem(
                    visit=visits[position],
                    menu_item=menu[i.menu_item],
                    name=i.name,
                    category=i.category,
                    quantity=i.quantity,
                    unit_price=i.unit_price,
                    ordered_at=i.ordered_at,
                    voided=i.voided,
                )
                for position, v in enumerate(service.visits)
                for i in v.items
            ],
        )
        created(
            "table state changes",
            [
                TableStateChange(
                    restaurant=restaurant,
                    table=tables[c.table],
                    from_state=c.from_state,
                    to_state=c.to_state,
                    source=c.source,
                    note=c.note,
                    at=c.at,
                )
                for c in service.state_changes
            ],
        )
    return LoadResult(restaurant, counts)


def _load_profiles(history: History, restaurant, staff, sections, created) -> None:
    profiles = history.profiles
    created(
        "availability",
        [
            StaffAvailability(
                restaurant=restaurant,
                staff=staff[a.staff],
                weekday=a.weekday,
                start_time=a.start,
                end_time=a.end,
                available=a.available,
                effective_from=a.effective_from,
                effective_until=a.effective_until,
                notes=a.notes,
            )
            for a in profiles.availability
        ],
    )
    created(
        "time off",
        [
            TimeOff(
                restaurant=restaurant,
                staff=staff[t.staff],
                start_date=t.start_date,
                end_date=t.end_date,
                reason=t.reason,
                status=t.status,
            )
            for t in profiles.time_off
        ],
    )
    preferences = created(
        "preferences",
        [
            StaffPreference(
                restaurant=restaurant,
                staff=staff[p.staff],
                roles=list(p.roles),
                day_parts=list(p.day_parts),
                min_hours_per_week=p.min_hours,
                max_hours_per_week=p.max_hours,
                max_shifts_per_week=p.max_shifts,
            )
            for p in profiles.preferences
        ],
    )
    through = StaffPreference.sections.through
    created(
        "preferred sections",
        [
            through(staffpreference=preference, section=sections[section])
            for preference, p in zip(preferences, profiles.preferences, strict=True)
            for section in p.sections
        ],
    )
    created(
        "staffing requirements",
        [
            StaffingRequirement(
                restaurant=restaurant,
                weekday=r.weekday,
                day_part=r.day_part,
                role=r.role,
                min_staff=r.min_staff,
                target_staff=r.target_staff,
                max_staff=r.max_staff,
            )
            for r in history.requirements
        ],
    )
