"""The floor read once: rows turned into the engine's one read model (`floor.engine.floor.FloorSnapshot`).

The board, the routing service and the quotes all start here, so a table or a server is worked out in
one place: which open party holds a table (pushed-together tables included), when a server's shift
starts counting, their covers and last seating."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from floor.engine.floor import (
    FloorSnapshot,
    FloorTable,
    Party,
    RoutingConfig,
    minutes_between,
    parties_by_table,
    server_on_floor,
    window_start,
)
from floor.models import WAITLIST_OPEN, Section, Table, Visit, WaitlistEntry
from restaurant.models import FLOOR_ROLES, Restaurant
from staff.models import PERFORMANCE_TRACKED_ROLES, StaffMember
from staff.selectors import shifts_on_floor

# A visit's row, once per table pushed together with it (`joined_tables`: None when it sits alone).
VISIT_FIELDS = ("id", "table_id", "server_id", "party_size", "seated_at", "closed_at", "server__name", "joined_tables")
# What the floor reads of a table: the columns a `FloorTable` takes as they are, then the feature flags.
TABLE_AS_READ = (
    *("id", "label", "section_id", "min_seats", "max_seats", "state", "state_changed_at", "combinable_group"),
    *("x", "y", "width", "height", "shape", "rotation"),
)
TABLE_FIELDS = (*TABLE_AS_READ, *Table.FEATURE_FIELDS.values())


def floor_snapshot(*, restaurant, now: datetime | None = None, sections: bool = True) -> FloorSnapshot:
    """The floor now, as the engine and the board read it: active tables (id order) with the open party
    holding each, everyone clocked in with their load and this shift's figures, the routing mode and
    settings. Four queries whatever the floor's size (sections, tables, shifts, visits); three without
    `sections` (the section names then come with the tables: those with no active table are missing).
    Rows are read as values, each worked out once: the floor's every refresh comes through here."""
    now = now or timezone.now()
    section_names = dict(Section.objects.for_restaurant(restaurant).values_list("id", "name")) if sections else None
    tables = list(
        Table.objects.for_restaurant(restaurant)
        .active()
        .order_by("id")
        .values(*TABLE_FIELDS, section_name=F("section__name"))
    )
    if section_names is None:
        section_names = {table["section_id"]: table["section_name"] for table in tables}
    on_floor = shifts_on_floor(restaurant=restaurant)
    initials = {entry.staff.pk: entry.staff.initials for entry in on_floor}
    since = window_start(
        (entry.shift.clock_in for entry in on_floor if entry.shift.role in PERFORMANCE_TRACKED_ROLES), now
    )
    visits, joined = _visits(
        Visit.objects.for_restaurant(restaurant)
        .filter(Q(closed_at__isnull=True) | Q(seated_at__gte=since))
        .order_by("seated_at", "id")
        .values_list(*VISIT_FIELDS),
        active={table["id"] for table in tables},
    )
    parties = _open_parties(visits, joined, initials)
    holder = parties_by_table(parties.values())
    visits_of, parties_of = defaultdict(list), defaultdict(list)
    for _, _, server_id, size, seated_at, _, _ in visits:
        visits_of[server_id].append((size, seated_at))
    for party in parties.values():
        parties_of[party.server_id].append(party)
    return FloorSnapshot(
        now=now,
        mode=restaurant.routing_mode,
        config=RoutingConfig.from_settings(restaurant.routing_config),
        tables=tuple(_floor_table(table, holder.get(table["id"]), now) for table in tables),
        servers=tuple(
            _floor_server(entry, visits_of[entry.staff.pk], parties_of[entry.staff.pk], now) for entry in on_floor
        ),
        section_names=section_names,
    )


def _visits(rows, *, active: set[int]) -> tuple[list[tuple], dict[int, list[int]]]:
    """The visits once each (the rows come once per table pushed together, adjacent), and the active tables
    pushed together with each."""
    visits: list[tuple] = []
    joined: dict[int, list[int]] = {}
    for *visit, joined_id in rows:
        if not visits or visits[-1][0] != visit[0]:
            visits.append(tuple(visit))
        if joined_id is not None and joined_id in active:
            joined.setdefault(visit[0], []).append(joined_id)
    return visits, joined


def _open_parties(visits, joined: dict[int, list[int]], initials: dict[int, str]) -> dict[int, Party]:
    """The open visits as parties, each with every table it holds: its own, then those pushed into it.
    `initials` are those of the staff on the floor; a server who left with a party still seated is named
    from the visit."""
    return {
        pk: Party(
            visit_id=pk,
            size=size,
            seated_at=seated_at,
            table_ids=(table_id, *sorted(joined.get(pk, ()))),
            server_id=server_id,
            server_name=server_name,
            server_initials=initials.get(server_id)
            or (StaffMember(name=server_name).initials if server_name else None),
        )
        for pk, table_id, server_id, size, seated_at, closed_at, server_name in visits
        if closed_at is None
    }


def _floor_table(row: dict, party: Party | None, now: datetime) -> FloorTable:
    return FloorTable(
        **{name: row[name] for name in TABLE_AS_READ},
        section_name=row["section_name"],
        features=tuple(Table.features_of(row)),
        minutes_in_state=minutes_between(row["state_changed_at"], now),
        party=party,
        minutes_seated=minutes_between(party.seated_at, now) if party else None,
    )


def _floor_server(entry, visits: list[tuple], parties: list[Party], now: datetime):
    """`visits`: (size, seated_at) of the parties this server was given since the floor's window; `parties`:
    their open ones."""
    shift, staff = entry.shift, entry.staff
    return server_on_floor(
        staff_id=staff.pk,
        name=staff.name,
        shift_id=shift.pk,
        clock_in=shift.clock_in,
        now=now,
        visits=visits,
        parties=parties,
        section_id=shift.section_id,
        section_name=shift.section.name if shift.section else None,
        role=shift.role,
        takes_tables=shift.role in PERFORMANCE_TRACKED_ROLES,
        tier=staff.tier,
        initials=staff.initials,
        on_break=entry.on_break,
        cut=shift.cut,
        skip_next=shift.skip_next,
        rotation_offset=shift.rotation_offset,
    )


def open_queue(*, restaurant) -> list[WaitlistEntry]:
    """Open waitlist entries, first come first: one query."""
    return list(
        WaitlistEntry.objects.for_restaurant(restaurant).filter(status__in=WAITLIST_OPEN).order_by("added_at", "id")
    )


def floor_restaurants_for(user):
    """Restaurants whose floor the user may run (owner, manager or host; superusers: all), by name."""
    restaurants = Restaurant.objects.all()
    if not user.is_superuser:
        restaurants = restaurants.filter(memberships__user=user, memberships__role__in=FLOOR_ROLES)
    return restaurants.order_by("name", "id")
