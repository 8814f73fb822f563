"""The host stand's board: everything the floor dashboard shows and `GET .../floor` answers, derived from
one read of the floor (`floor_snapshot`) plus the waitlist and the staff who could clock in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from django.utils import timezone

from floor.engine.floor import FloorServer, FloorSnapshot, FloorTable, whole_minutes
from floor.engine.server_order import ServerStanding, rotation_positions, server_order, servers_for_tables
from floor.models import WAITLIST_OPEN, Section, WaitlistEntry
from floor.selectors.floor import floor_snapshot
from floor.selectors.quotes import QuotedEntry, waitlist_open_with_quotes
from staff.models import StaffMember


@dataclass(frozen=True)
class WaitingParty:
    """An open waitlist entry, oldest first."""

    id: int
    party_name: str
    party_size: int
    status: str
    added_at: datetime
    minutes_waiting: int
    quoted_wait_minutes: int | None
    preferences: dict


@dataclass(frozen=True)
class WaitlistSummary:
    """The open waitlist: how many parties, how many guests, parties by size, and the entries."""

    open_count: int
    covers_waiting: int
    parties_by_size: dict[int, int]
    entries: tuple[WaitingParty, ...]


@dataclass(frozen=True)
class FloorStatus:
    """The whole floor at one instant: tables (by section and label), servers (who take tables, by
    clock-in), support staff (hosts, bussers, runners) and the waitlist summary."""

    restaurant_id: int
    at: datetime
    tables: tuple[FloorTable, ...]
    servers: tuple[FloorServer, ...]
    support_staff: tuple[FloorServer, ...]
    waitlist: WaitlistSummary


def _display_order(tables) -> tuple[FloorTable, ...]:
    # The engine reads tables by id (its draws depend on it); people read them by section and label.
    return tuple(sorted(tables, key=lambda t: (t.section_id, t.label, t.id)))


def _waitlist_summary(waiting: list[WaitlistEntry], now: datetime) -> WaitlistSummary:
    entries = tuple(
        WaitingParty(
            id=entry.pk,
            party_name=entry.party_name,
            party_size=entry.party_size,
            status=entry.status,
            added_at=entry.added_at,
            minutes_waiting=whole_minutes(entry.added_at, now),
            quoted_wait_minutes=entry.quoted_wait_minutes,
            preferences=entry.preferences or {},
        )
        for entry in waiting
    )
    sizes = Counter(entry.party_size for entry in entries)
    return WaitlistSummary(
        open_count=len(entries),
        covers_waiting=sum(entry.party_size for entry in entries),
        parties_by_size=dict(sorted(sizes.items())),
        entries=entries,
    )


def _open_entries(restaurant) -> list[WaitlistEntry]:
    # The model's ordering (added_at, id) is the queue's order.
    return list(WaitlistEntry.objects.for_restaurant(restaurant).filter(status__in=WAITLIST_OPEN))


def _status(restaurant, snapshot: FloorSnapshot, waiting: list[WaitlistEntry]) -> FloorStatus:
    return FloorStatus(
        restaurant_id=restaurant.pk,
        at=snapshot.now,
        tables=_display_order(snapshot.tables),
        servers=tuple(server for server in snapshot.servers if server.takes_tables),
        support_staff=tuple(server for server in snapshot.servers if not server.takes_tables),
        waitlist=_waitlist_summary(waiting, snapshot.now),
    )


def floor_status(*, restaurant, now: datetime | None = None) -> FloorStatus:
    """Tables, servers on the floor and the waitlist, in four queries whatever the size of the floor.

    `now` is the instant minutes are counted to (a test's clock); the shifts are those open now. Tables
    pushed together for one party each show that party (server, size, minutes seated) and each other."""
    now = now or timezone.now()
    snapshot = floor_snapshot(restaurant=restaurant, now=now, sections=False)
    return _status(restaurant, snapshot, _open_entries(restaurant))


def servers_in_rotation_order(*, restaurant, now: datetime | None = None, party_size: int = 2) -> list[ServerStanding]:
    """Servers who can take a party now, in the order the routing engine would give them one (by the
    restaurant's mode and the host's overrides). Four queries."""
    return server_order(floor_snapshot(restaurant=restaurant, now=now), party_size=party_size)


@dataclass(frozen=True)
class StaffRef:
    """An active staff member, for the clock-in panel."""

    id: int
    name: str
    role: str


@dataclass(frozen=True)
class SectionRef:
    """A section as the map colours it."""

    id: int
    name: str
    color: str


@dataclass(frozen=True)
class FloorBoard:
    """Everything the floor dashboard shows and `GET /floor` answers: the floor status (each table with the
    servers who may take it, `server_ids`), servers in rotation order (`rotation_position` set), who could
    clock in, the sections, and the open waitlist with live quotes."""

    restaurant_id: int
    at: datetime
    mode: str
    tables: tuple[FloorTable, ...]
    servers: tuple[FloorServer, ...]
    support_staff: tuple[FloorServer, ...]
    off_floor: tuple[StaffRef, ...]
    sections: tuple[SectionRef, ...]
    waitlist: tuple[QuotedEntry, ...]
    waitlist_summary: WaitlistSummary


def floor_board(*, restaurant, now: datetime | None = None) -> FloorBoard:
    """The host stand's whole picture in six queries whatever the floor's size (nine with a cold
    quote-model cache): the floor read once (tables, shifts on the floor, visits), the open waitlist,
    the sections and the active staff; floor status, rotation order and live quotes all derive from those."""
    now = now or timezone.now()
    snapshot = floor_snapshot(restaurant=restaurant, now=now, sections=False)  # the board gives no reasons
    waiting = _open_entries(restaurant)
    status = _status(restaurant, snapshot, waiting)
    position = rotation_positions(snapshot)
    ranked = sorted(status.servers, key=lambda s: (position.get(s.staff_id, len(position) + 1), s.name, s.staff_id))
    clocked_in = {server.staff_id for server in snapshot.servers}
    off_floor = tuple(
        StaffRef(id=pk, name=name, role=role)
        for pk, name, role in StaffMember.objects.for_restaurant(restaurant)
        .active()
        .order_by("name", "id")
        .values_list("id", "name", "role")
        if pk not in clocked_in
    )
    sections = tuple(
        SectionRef(id=pk, name=name, color=color)
        for pk, name, color in Section.objects.for_restaurant(restaurant)
        .filter(active=True)
        .values_list("id", "name", "color")
    )
    takers = servers_for_tables(snapshot)
    return FloorBoard(
        restaurant_id=restaurant.pk,
        at=now,
        mode=restaurant.routing_mode,
        tables=tuple(replace(table, server_ids=takers[table.id]) for table in status.tables),
        servers=tuple(replace(server, rotation_position=position.get(server.staff_id)) for server in ranked),
        support_staff=status.support_staff,
        off_floor=off_floor,
        sections=sections,
        waitlist=tuple(waitlist_open_with_quotes(restaurant=restaurant, now=now, entries=waiting, snapshot=snapshot)),
        waitlist_summary=status.waitlist,
    )
