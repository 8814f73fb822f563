"""Read queries about the floor, used by the API, the dashboard and other apps."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from floor.models import WAITLIST_OPEN, Table, Visit, WaitlistEntry
from staff.models import PERFORMANCE_TRACKED_ROLES
from staff.selectors import shifts_on_floor


@dataclass(frozen=True)
class ServerRef:
    """Who serves a table, as the floor map labels it."""

    id: int
    name: str
    initials: str


@dataclass(frozen=True)
class TableStatus:
    """One table on the floor now: where it is drawn, its state, and the party at it."""

    id: int
    label: str
    section_id: int
    section_name: str
    state: str
    state_changed_at: datetime
    minutes_in_state: int
    min_seats: int
    max_seats: int
    features: tuple[str, ...]
    combinable_group: str
    x: float
    y: float
    width: float
    height: float
    shape: str
    rotation: float
    visit_id: int | None
    party_size: int | None
    seated_at: datetime | None
    minutes_seated: int | None
    server: ServerRef | None

    @property
    def server_id(self) -> int | None:
        return self.server.id if self.server else None


@dataclass(frozen=True)
class ServerStatus:
    """A server (or bartender) clocked in now, with their load and the host's overrides."""

    staff_id: int
    name: str
    initials: str
    role: str
    tier: str
    shift_id: int
    section_id: int | None
    section_name: str | None
    clocked_in_at: datetime
    on_break: bool
    cut: bool
    skip_next: bool
    rotation_offset: int
    can_take_tables: bool
    open_table_ids: tuple[int, ...]
    active_covers: int
    shift_parties: int
    shift_covers: int
    last_seated_at: datetime | None
    minutes_since_last_seated: int | None

    @property
    def open_tables(self) -> int:
        return len(self.open_table_ids)


@dataclass(frozen=True)
class SupportStatus:
    """Someone on the floor who takes no tables (host, busser, runner)."""

    staff_id: int
    name: str
    role: str
    on_break: bool


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
    """The whole floor at one instant, as the host stand sees it."""

    restaurant_id: int
    at: datetime
    tables: tuple[TableStatus, ...]
    servers: tuple[ServerStatus, ...]
    support_staff: tuple[SupportStatus, ...]
    waitlist: WaitlistSummary


def _minutes(since: datetime | None, now: datetime) -> int | None:
    if since is None:
        return None
    return max(0, int((now - since).total_seconds() // 60))


def floor_status(*, restaurant, now: datetime | None = None) -> FloorStatus:
    """Tables, servers on the floor and the waitlist, in four queries whatever the size of the floor.

    `now` is the instant minutes are counted to (a test's clock); the shifts are those open now."""
    now = now or timezone.now()
    tables = list(Table.objects.for_restaurant(restaurant).active().select_related("section"))
    on_floor = shifts_on_floor(restaurant=restaurant)
    servers_on_floor = [entry for entry in on_floor if entry.shift.role in PERFORMANCE_TRACKED_ROLES]

    # One query for both the open visits (tables) and this shift's visits of each server on the floor
    # (load and last seated); per-server filtering by that server's own clock-in happens below.
    wanted = Q(closed_at__isnull=True)
    if servers_on_floor:
        earliest = min(entry.shift.clock_in for entry in servers_on_floor)
        wanted |= Q(server_id__in=[entry.staff.pk for entry in servers_on_floor], seated_at__gte=earliest)
    visits = list(
        Visit.objects.for_restaurant(restaurant)
        .filter(wanted)
        .select_related("server")
        .only("id", "table_id", "server_id", "party_size", "seated_at", "closed_at", "server__name")
        .order_by("seated_at", "id")
    )
    open_by_table = {visit.table_id: visit for visit in visits if visit.closed_at is None}
    by_server: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        if visit.server_id is not None:
            by_server[visit.server_id].append(visit)

    table_rows = tuple(_table_status(table, open_by_table.get(table.pk), now) for table in tables)
    server_rows = tuple(_server_status(entry, by_server.get(entry.staff.pk, []), now) for entry in servers_on_floor)
    support_rows = tuple(
        SupportStatus(staff_id=entry.staff.pk, name=entry.staff.name, role=entry.shift.role, on_break=entry.on_break)
        for entry in on_floor
        if entry.shift.role not in PERFORMANCE_TRACKED_ROLES
    )
    return FloorStatus(
        restaurant_id=restaurant.pk,
        at=now,
        tables=table_rows,
        servers=server_rows,
        support_staff=support_rows,
        waitlist=_waitlist_summary(restaurant, now),
    )


def _table_status(table: Table, visit: Visit | None, now: datetime) -> TableStatus:
    server = visit.server if visit is not None else None
    return TableStatus(
        id=table.pk,
        label=table.label,
        section_id=table.section_id,
        section_name=table.section.name,
        state=table.state,
        state_changed_at=table.state_changed_at,
        minutes_in_state=_minutes(table.state_changed_at, now),
        min_seats=table.min_seats,
        max_seats=table.max_seats,
        features=tuple(table.features),
        combinable_group=table.combinable_group,
        x=table.x,
        y=table.y,
        width=table.width,
        height=table.height,
        shape=table.shape,
        rotation=table.rotation,
        visit_id=visit.pk if visit else None,
        party_size=visit.party_size if visit else None,
        seated_at=visit.seated_at if visit else None,
        minutes_seated=_minutes(visit.seated_at, now) if visit else None,
        server=ServerRef(id=server.pk, name=server.name, initials=server.initials) if server else None,
    )


def _server_status(entry, visits: list[Visit], now: datetime) -> ServerStatus:
    shift = entry.shift
    this_shift = [visit for visit in visits if visit.seated_at >= shift.clock_in]
    open_visits = [visit for visit in visits if visit.closed_at is None]
    last_seated_at = max((visit.seated_at for visit in this_shift), default=None)
    return ServerStatus(
        staff_id=entry.staff.pk,
        name=entry.staff.name,
        initials=entry.staff.initials,
        role=shift.role,
        tier=entry.staff.tier,
        shift_id=shift.pk,
        section_id=shift.section_id,
        section_name=shift.section.name if shift.section else None,
        clocked_in_at=shift.clock_in,
        on_break=entry.on_break,
        cut=shift.cut,
        skip_next=shift.skip_next,
        rotation_offset=shift.rotation_offset,
        can_take_tables=entry.can_take_tables,
        open_table_ids=tuple(visit.table_id for visit in open_visits),
        active_covers=sum(visit.party_size for visit in open_visits),
        shift_parties=len(this_shift),
        shift_covers=sum(visit.party_size for visit in this_shift),
        last_seated_at=last_seated_at,
        minutes_since_last_seated=_minutes(last_seated_at, now),
    )


def _waitlist_summary(restaurant, now: datetime) -> WaitlistSummary:
    entries = tuple(
        WaitingParty(
            id=entry.pk,
            party_name=entry.party_name,
            party_size=entry.party_size,
            status=entry.status,
            added_at=entry.added_at,
            minutes_waiting=_minutes(entry.added_at, now),
            quoted_wait_minutes=entry.quoted_wait_minutes,
            preferences=entry.preferences or {},
        )
        for entry in WaitlistEntry.objects.for_restaurant(restaurant).filter(status__in=WAITLIST_OPEN)
    )
    sizes = Counter(entry.party_size for entry in entries)
    return WaitlistSummary(
        open_count=len(entries),
        covers_waiting=sum(entry.party_size for entry in entries),
        parties_by_size=dict(sorted(sizes.items())),
        entries=entries,
    )


@dataclass(frozen=True)
class QuotedEntry:
    """An open waitlist entry with its place in the queue, the wait it was quoted and the live quote."""

    entry: WaitlistEntry
    position: int  # 1 = next in line
    minutes_waiting: int
    quoted_wait_minutes: int | None  # what the party was told when added
    live_wait_minutes: int | None  # from now, given the floor and the queue ahead now
    live_wait_low: int | None  # the middle half of the simulated waits
    live_wait_high: int | None

    @property
    def id(self) -> int:
        return self.entry.pk


def waitlist_open_with_quotes(*, restaurant, now: datetime | None = None) -> list[QuotedEntry]:
    """Open waitlist entries, first come first, with positions and live learned quotes
    (floor.services.quotes). A fixed number of queries: seven with a cold quote-model cache, four warm."""
    # Imported here: the quote engine brings numpy along, which no other selector needs.
    from floor.services.quotes import open_queue, quote_queue

    now = now or timezone.now()
    entries = open_queue(restaurant=restaurant)
    quotes = quote_queue(restaurant=restaurant, entries=entries, now=now) if entries else {}
    return [
        QuotedEntry(
            entry=entry,
            position=position,
            minutes_waiting=_minutes(entry.added_at, now),
            quoted_wait_minutes=entry.quoted_wait_minutes,
            live_wait_minutes=quotes[entry.pk].minutes,
            live_wait_low=quotes[entry.pk].low,
            live_wait_high=quotes[entry.pk].high,
        )
        for position, entry in enumerate(entries, start=1)
    ]


def servers_in_rotation_order(*, restaurant, now: datetime | None = None, party_size: int = 2) -> list:
    """Servers who can take a party now, in the order the routing engine would give them one (by the
    restaurant's mode and the host's overrides), as `floor.services.routing.ServerStanding`. Four queries."""
    from floor.services.routing import load_floor_snapshot, server_order

    return server_order(load_floor_snapshot(restaurant=restaurant, now=now), party_size=party_size)
