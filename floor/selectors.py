"""Read queries about the floor, used by the API, the dashboard and other apps."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from floor.models import WAITLIST_OPEN, Section, Table, Visit, WaitlistEntry, WaitlistStatus
from floor.services.routing import SHIFT_LOOKBACK, load_floor_snapshot, server_order
from restaurant.models import FLOOR_ROLES, Restaurant
from staff.models import PERFORMANCE_TRACKED_ROLES, StaffMember
from staff.selectors import OnFloor, shifts_on_floor

JoinedTable = Visit.joined_tables.through


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
    joined_with: tuple[int, ...] = ()  # the other tables pushed together for the same party

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


@dataclass(frozen=True)
class FloorRows:
    """The floor read once, for everything the host stand derives from it (floor status, rotation order,
    live quotes): three queries whatever the floor's size."""

    tables: tuple[Table, ...]  # active, with their section and `joined_visit_id` (the open visit pushed into)
    on_floor: tuple[OnFloor, ...]  # clocked in now, with whether on break
    visits: tuple[Visit, ...]  # open, or seated since the earliest clock-in any reader counts from; oldest first


def floor_rows(*, restaurant, now: datetime) -> FloorRows:
    """Tables, shifts on the floor and visits, in three queries. The visits cover both what the floor
    status counts (each server's visits since the earliest server clocked in) and what the routing
    snapshot counts (every visit since the earliest clock-in, looking back at most SHIFT_LOOKBACK)."""
    # Each table carries the open visit it is pushed into (if any), so the tables query also tells
    # which tables sit together: no query per visit.
    joined_into = JoinedTable.objects.filter(table_id=OuterRef("pk"), visit__closed_at__isnull=True)
    tables = tuple(
        Table.objects.for_restaurant(restaurant)
        .active()
        .select_related("section")
        .annotate(joined_visit_id=Subquery(joined_into.values("visit_id")[:1]))
    )
    on_floor = tuple(shifts_on_floor(restaurant=restaurant))
    since = max(min((entry.shift.clock_in for entry in on_floor), default=now), now - SHIFT_LOOKBACK)
    servers_since = [entry.shift.clock_in for entry in on_floor if entry.shift.role in PERFORMANCE_TRACKED_ROLES]
    if servers_since:
        since = min(since, *servers_since)
    visits = tuple(
        Visit.objects.for_restaurant(restaurant)
        .filter(Q(closed_at__isnull=True) | Q(seated_at__gte=since))
        .select_related("server")
        .only("id", "table_id", "server_id", "party_size", "seated_at", "closed_at", "server__name")
        .order_by("seated_at", "id")
    )
    return FloorRows(tables=tables, on_floor=on_floor, visits=visits)


def floor_status(*, restaurant, now: datetime | None = None) -> FloorStatus:
    """Tables, servers on the floor and the waitlist, in four queries whatever the size of the floor.

    `now` is the instant minutes are counted to (a test's clock); the shifts are those open now. Tables
    pushed together for one party each show that party (server, size, minutes seated) and each other."""
    now = now or timezone.now()
    return _floor_status(
        restaurant=restaurant,
        now=now,
        rows=floor_rows(restaurant=restaurant, now=now),
        waiting=list(WaitlistEntry.objects.for_restaurant(restaurant).filter(status__in=WAITLIST_OPEN)),
    )


def _floor_status(*, restaurant, now: datetime, rows: FloorRows, waiting: list[WaitlistEntry]) -> FloorStatus:
    on_floor = rows.on_floor
    servers_on_floor = [entry for entry in on_floor if entry.shift.role in PERFORMANCE_TRACKED_ROLES]
    # The open visits (tables) and this shift's visits of each server on the floor (load and last
    # seated); per-server filtering by that server's own clock-in happens in _server_status.
    server_ids = {entry.staff.pk for entry in servers_on_floor}
    earliest = min((entry.shift.clock_in for entry in servers_on_floor), default=None)
    visits = [
        visit
        for visit in rows.visits
        if visit.closed_at is None or (visit.server_id in server_ids and visit.seated_at >= earliest)
    ]
    open_visits = {visit.pk: visit for visit in visits if visit.closed_at is None}
    visit_of_table = {visit.table_id: visit for visit in open_visits.values()}
    party_tables: dict[int, list[int]] = defaultdict(list)  # open visit id -> its tables, own table first
    for visit in open_visits.values():
        party_tables[visit.pk].append(visit.table_id)
    for table in rows.tables:
        visit = open_visits.get(table.joined_visit_id)
        if visit is not None:
            visit_of_table[table.pk] = visit
            party_tables[visit.pk].append(table.pk)
    by_server: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        if visit.server_id is not None:
            by_server[visit.server_id].append(visit)

    table_rows = tuple(_table_status(table, visit_of_table.get(table.pk), party_tables, now) for table in rows.tables)
    server_rows = tuple(
        _server_status(entry, by_server.get(entry.staff.pk, []), party_tables, now) for entry in servers_on_floor
    )
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
        waitlist=_waitlist_summary(waiting, now),
    )


def _table_status(table: Table, visit: Visit | None, party_tables: dict[int, list[int]], now: datetime) -> TableStatus:
    server = visit.server if visit is not None else None
    together = party_tables.get(visit.pk, []) if visit is not None else []
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
        joined_with=tuple(sorted(pk for pk in together if pk != table.pk)),
    )


def _server_status(entry, visits: list[Visit], party_tables: dict[int, list[int]], now: datetime) -> ServerStatus:
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
        open_table_ids=tuple(pk for visit in open_visits for pk in party_tables.get(visit.pk, [visit.table_id])),
        active_covers=sum(visit.party_size for visit in open_visits),
        shift_parties=len(this_shift),
        shift_covers=sum(visit.party_size for visit in this_shift),
        last_seated_at=last_seated_at,
        minutes_since_last_seated=_minutes(last_seated_at, now),
    )


def _waitlist_summary(waiting: list[WaitlistEntry], now: datetime) -> WaitlistSummary:
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
        for entry in waiting
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


def waitlist_open_with_quotes(
    *,
    restaurant,
    now: datetime | None = None,
    entries: list[WaitlistEntry] | None = None,
    rows: FloorRows | None = None,
) -> list[QuotedEntry]:
    """Open waitlist entries, first come first, with positions and live learned quotes
    (floor.services.quotes). A fixed number of queries: seven with a cold quote-model cache, four warm;
    three fewer when the caller passes the open entries (oldest first) and the floor's rows."""
    # Imported here: the quote engine brings numpy along, which no other selector needs.
    from floor.services.quotes import open_queue, quote_queue

    now = now or timezone.now()
    if entries is None:
        entries = open_queue(restaurant=restaurant)
    quotes = quote_queue(restaurant=restaurant, entries=entries, now=now, rows=rows) if entries else {}
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
    return server_order(load_floor_snapshot(restaurant=restaurant, now=now), party_size=party_size)


# --------------------------------------------------------------------------------------------------
# The host stand's board and the quote-accuracy panel
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardServer(ServerStatus):
    """A server on the floor with their place in the rotation (1 = next; None while on break or cut)."""

    rotation_position: int | None = None


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
    """Everything the floor dashboard shows and `GET /floor` answers: the floor status, servers in rotation
    order, who could clock in, the sections, and the open waitlist with live quotes."""

    restaurant_id: int
    at: datetime
    mode: str
    tables: tuple[TableStatus, ...]
    servers: tuple[BoardServer, ...]
    support_staff: tuple[SupportStatus, ...]
    off_floor: tuple[StaffRef, ...]
    sections: tuple[SectionRef, ...]
    waitlist: tuple[QuotedEntry, ...]
    waitlist_summary: WaitlistSummary


def floor_board(*, restaurant, now: datetime | None = None) -> FloorBoard:
    """The host stand's whole picture in six queries whatever the floor's size (nine with a cold
    quote-model cache): the floor read once (tables, shifts on the floor, visits), the open waitlist,
    the sections and the active staff; floor status, rotation order and live quotes derive from those."""
    now = now or timezone.now()
    rows = floor_rows(restaurant=restaurant, now=now)
    waiting = list(WaitlistEntry.objects.for_restaurant(restaurant).filter(status__in=WAITLIST_OPEN))
    all_sections = list(Section.objects.for_restaurant(restaurant).values_list("id", "name", "color", "active"))
    status = _floor_status(restaurant=restaurant, now=now, rows=rows, waiting=waiting)
    snapshot = load_floor_snapshot(
        restaurant=restaurant, now=now, rows=rows, section_names={pk: name for pk, name, _, _ in all_sections}
    )
    order = server_order(snapshot, party_size=2)
    position = {standing.server.staff_id: index for index, standing in enumerate(order, start=1)}
    ranked = sorted(status.servers, key=lambda s: (position.get(s.staff_id, len(position) + 1), s.name, s.staff_id))
    servers = tuple(
        BoardServer(
            **{name: getattr(server, name) for name in ServerStatus.__dataclass_fields__},
            rotation_position=position.get(server.staff_id),
        )
        for server in ranked
    )
    clocked_in = {server.staff_id for server in status.servers} | {s.staff_id for s in status.support_staff}
    off_floor = tuple(
        StaffRef(id=pk, name=name, role=role)
        for pk, name, role in StaffMember.objects.for_restaurant(restaurant)
        .active()
        .order_by("name", "id")
        .values_list("id", "name", "role")
        if pk not in clocked_in
    )
    sections = tuple(SectionRef(id=pk, name=name, color=color) for pk, name, color, active in all_sections if active)
    return FloorBoard(
        restaurant_id=restaurant.pk,
        at=now,
        mode=restaurant.routing_mode,
        tables=status.tables,
        servers=servers,
        support_staff=status.support_staff,
        off_floor=off_floor,
        sections=sections,
        # The open entries come in the model's order, oldest first: the queue's order.
        waitlist=tuple(waitlist_open_with_quotes(restaurant=restaurant, now=now, entries=waiting, rows=rows)),
        waitlist_summary=status.waitlist,
    )


ACCURACY_SIZE_BUCKETS = ((1, 2), (3, 4), (5, 6), (7, None))
ACCURACY_WEEKS = 4


@dataclass(frozen=True)
class AccuracyBucket:
    """Quoted against actual wait for the parties of one group (a party size, an hour of arrival)."""

    key: str
    label: str
    parties: int
    mean_quoted: float
    mean_actual: float
    mean_abs_error: float
    mean_error: float  # actual - quoted: positive when parties waited longer than they were told


@dataclass(frozen=True)
class AccuracyPeriod:
    """The quote accuracy over one period, overall and by party size and hour of arrival (local time)."""

    key: str
    label: str
    parties: int
    mean_abs_error: float | None
    mean_error: float | None
    by_party_size: tuple[AccuracyBucket, ...]
    by_hour: tuple[AccuracyBucket, ...]


def _size_bucket(size: int) -> tuple[str, str]:
    for low, high in ACCURACY_SIZE_BUCKETS:
        if high is None:
            return f"{low}+", f"{low}+ guests"
        if low <= size <= high:
            return f"{low}-{high}", f"{low}-{high} guests"
    raise AssertionError("the last bucket is open-ended")


def _accuracy_bucket(key: str, label: str, rows: list[tuple[float, float]]) -> AccuracyBucket:
    count = len(rows)
    return AccuracyBucket(
        key=key,
        label=label,
        parties=count,
        mean_quoted=round(sum(q for q, _ in rows) / count, 1),
        mean_actual=round(sum(a for _, a in rows) / count, 1),
        mean_abs_error=round(sum(abs(a - q) for q, a in rows) / count, 1),
        mean_error=round(sum(a - q for q, a in rows) / count, 1),
    )


def _accuracy_period(key: str, label: str, rows: list[tuple[int, int, float, float]]) -> AccuracyPeriod:
    by_size: dict[str, list] = defaultdict(list)
    size_labels: dict[str, str] = {}
    size_order: dict[str, int] = {}
    by_hour: dict[int, list] = defaultdict(list)
    for size, hour, quoted, actual in rows:
        bucket, bucket_label = _size_bucket(size)
        by_size[bucket].append((quoted, actual))
        size_labels[bucket] = bucket_label
        size_order[bucket] = size
        by_hour[hour].append((quoted, actual))
    errors = [actual - quoted for _, _, quoted, actual in rows]
    return AccuracyPeriod(
        key=key,
        label=label,
        parties=len(rows),
        mean_abs_error=round(sum(abs(e) for e in errors) / len(errors), 1) if errors else None,
        mean_error=round(sum(errors) / len(errors), 1) if errors else None,
        by_party_size=tuple(
            _accuracy_bucket(bucket, size_labels[bucket], by_size[bucket])
            for bucket in sorted(by_size, key=size_order.get)
        ),
        by_hour=tuple(_accuracy_bucket(f"{hour:02d}", f"{hour:02d}:00", by_hour[hour]) for hour in sorted(by_hour)),
    )


def quote_accuracy(*, restaurant, now: datetime | None = None) -> tuple[AccuracyPeriod, AccuracyPeriod]:
    """How close the waits we quoted were to the waits parties had, for today and the last four weeks
    (today included), by party size and by the local hour the party arrived. Counts seated parties that
    were quoted a wait. One query."""
    now = now or timezone.now()
    zone = ZoneInfo(restaurant.timezone)
    local_now = now.astimezone(zone)
    today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Midnight 27 days before today, in local time (a DST change in between keeps it at midnight).
    since = (today.replace(tzinfo=None) - timedelta(days=ACCURACY_WEEKS * 7 - 1)).replace(tzinfo=zone)
    rows = []
    for size, quoted, added_at, seated_at in (
        WaitlistEntry.objects.for_restaurant(restaurant)
        .filter(
            status=WaitlistStatus.SEATED,
            quoted_wait_minutes__isnull=False,
            seated_at__isnull=False,
            added_at__gte=since,
            added_at__lte=now,
        )
        .values_list("party_size", "quoted_wait_minutes", "added_at", "seated_at")
    ):
        local_added = added_at.astimezone(zone)
        actual = max((seated_at - added_at).total_seconds() / 60, 0.0)
        rows.append((size, local_added.hour, float(quoted), actual, local_added >= today))
    return (
        _accuracy_period("today", "Today", [row[:4] for row in rows if row[4]]),
        _accuracy_period("weeks", f"Last {ACCURACY_WEEKS} weeks", [row[:4] for row in rows]),
    )


def floor_restaurants_for(user):
    """Restaurants whose floor the user may run (owner, manager or host; superusers: all), by name."""
    restaurants = Restaurant.objects.all()
    if not user.is_superuser:
        restaurants = restaurants.filter(memberships__user=user, memberships__role__in=FLOOR_ROLES)
    return restaurants.order_by("name", "id")
