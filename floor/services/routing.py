"""The routing engine: where to seat a party, and with which server.

Two layers, so the benchmark can replay simulated evenings through the very code a host uses:

- a pure core (`rank_seatings`) over plain dataclasses (`FloorSnapshot`, `TableSpot`, `ServerSpot`) that
  applies the hard rules, orders the servers by the restaurant's mode and scores every (table, server)
  pair; no database, deterministic (every tie is broken by ids);
- `route_party`, which loads a snapshot in a fixed number of queries whatever the floor size
  (`load_floor_snapshot`: sections, tables, shifts on the floor, visits), ranks, and records a
  RoutingDecision.

The score of a recommendation is a sum of signed parts, each shown to the host (docs/routing.md):
server priority (100 for the server the mode puts first, 10 less per place), table fit (-20 per
wasted seat, -10 per extra table pushed together), preferences (+15 per wish met) and the double-seat
penalty (the restaurant's `double_seat_penalty`, 30 by default, when the server was seated within the
last `double_seat_window_minutes`).
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from floor.exceptions import InvalidFloorInput, WaitlistEntryClosed, WrongRestaurant
from floor.models import RoutingDecision, Section, Table, TableState, Visit
from restaurant.models import RoutingMode
from staff.models import PERFORMANCE_TRACKED_ROLES, Tier
from staff.selectors import shifts_on_floor

if TYPE_CHECKING:
    from floor.selectors import FloorRows

SERVER_TOP_PRIORITY = 100.0
SERVER_RANK_STEP = 10.0
WASTED_SEAT_POINTS = -20.0
EXTRA_TABLE_POINTS = -10.0
PREFERENCE_POINTS = 15.0
DEFAULT_LIMIT = 5
# Combinations are searched among at most this many free tables of one group, up to this many tables
# pushed together: bounded work however large a group is.
COMBINATION_POOL = 10
COMBINATION_MAX_TABLES = 4
# Covers a server seated more than this long ago no longer count towards "this shift" (a shift
# left open overnight must not weigh on tonight's rotation).
SHIFT_LOOKBACK = timedelta(hours=18)

FEATURES = ("booth", "patio", "high_top")
PREFERENCE_KEYS = ("section_id", "feature", "accessible")
TIER_LEVEL = {Tier.STRONG: 2, Tier.STANDARD: 1, Tier.DEVELOPING: 0}
# Performance mode: how many covers a tier takes relative to a standard server before their turn.
TIER_SHARE = {Tier.STRONG: 1.4, Tier.STANDARD: 1.0, Tier.DEVELOPING: 0.7}


# --------------------------------------------------------------------------------------------------
# Plain data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingConfig:
    """The restaurant's routing settings, typed."""

    double_seat_window_minutes: float = 5
    double_seat_penalty: float = 30.0
    performance_covers_gap_cap: int = 8
    large_party_size: int = 6

    @classmethod
    def from_settings(cls, settings: dict) -> RoutingConfig:
        return cls(
            double_seat_window_minutes=float(settings.get("double_seat_window_minutes", 5)),
            double_seat_penalty=float(settings.get("double_seat_penalty", 30.0)),
            performance_covers_gap_cap=int(settings.get("performance_covers_gap_cap", 8)),
            large_party_size=int(settings.get("large_party_size", 6)),
        )


@dataclass(frozen=True)
class Preferences:
    """What a party asked for: a section and a feature are wishes, `accessible` is a must."""

    section_id: int | None = None
    feature: str | None = None
    accessible: bool = False

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, False)}


@dataclass(frozen=True)
class TableSpot:
    """A table as the engine sees it."""

    id: int
    label: str
    section_id: int
    min_seats: int
    max_seats: int
    state: str = TableState.AVAILABLE
    features: frozenset[str] = frozenset()
    accessible: bool = True
    combinable_group: str = ""
    has_open_visit: bool = False

    @property
    def is_free(self) -> bool:
        return self.state == TableState.AVAILABLE and not self.has_open_visit

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats


@dataclass(frozen=True)
class ServerSpot:
    """A staff member clocked in now, with what the rotation needs to know about their shift."""

    staff_id: int
    name: str
    shift_id: int
    clock_in: datetime
    section_id: int | None = None  # None: clocked in without a section, covers every section
    role: str = "server"
    tier: str = Tier.STANDARD
    on_break: bool = False
    cut: bool = False
    skip_next: bool = False
    rotation_offset: int = 0
    last_seated_at: datetime | None = None
    covers_now: int = 0
    tables_now: int = 0
    covers_shift: int = 0
    parties_shift: int = 0

    @property
    def can_take_tables(self) -> bool:
        return not self.on_break and not self.cut and self.role in PERFORMANCE_TRACKED_ROLES


@dataclass(frozen=True)
class FloorSnapshot:
    """Everything the engine decides from, at one instant."""

    now: datetime
    mode: str
    config: RoutingConfig
    tables: tuple[TableSpot, ...]
    servers: tuple[ServerSpot, ...]
    section_names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServerStanding:
    """A server's place in the order the mode gives for one party, with the figures behind it."""

    server: ServerSpot
    rank: int
    capacity: float  # the seats that are this server's fair share (balanced mode's denominator)
    capped: bool = False  # performance mode: held back because they are too many covers ahead


@dataclass
class Recommendation:
    """One way to seat the party: a table (or tables pushed together) and a server, scored."""

    table_ids: list[int]
    table_labels: list[str]
    section_id: int
    seats: int
    server_id: int
    server_name: str
    score: float
    breakdown: dict[str, float]
    reason: str

    @property
    def table_id(self) -> int:
        return self.table_ids[0]

    def as_dict(self) -> dict:
        return {"table_id": self.table_id, **asdict(self)}


@dataclass
class Ranking:
    """The engine's answer: recommendations best first, or none and why."""

    recommendations: list[Recommendation]
    reason: str = ""
    order: list[ServerStanding] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------


def parse_preferences(raw) -> Preferences:
    """Validate a party's preferences: {"section_id": int, "feature": "booth"|"patio"|"high_top",
    "accessible": bool}, every key optional; "feature": "accessible" means accessible. InvalidFloorInput
    names the offending field."""
    if raw in (None, ""):
        return Preferences()
    if isinstance(raw, Preferences):
        return raw
    if not isinstance(raw, dict):
        raise InvalidFloorInput("preferences", "preferences must be an object")
    unknown = sorted(set(raw) - set(PREFERENCE_KEYS))
    if unknown:
        raise InvalidFloorInput(
            "preferences", f"unknown preferences {', '.join(unknown)}; use {', '.join(PREFERENCE_KEYS)}"
        )
    section_id = raw.get("section_id")
    if section_id is not None and (isinstance(section_id, bool) or not isinstance(section_id, int)):
        raise InvalidFloorInput("preferences.section_id", "section_id must be a section's id (an integer)")
    feature = raw.get("feature")
    accessible = raw.get("accessible", False)
    if not isinstance(accessible, bool):
        raise InvalidFloorInput("preferences.accessible", "accessible must be true or false")
    if feature in ("", None):
        feature = None
    elif feature == "accessible":  # some clients send the need as a feature: it is still a must
        feature, accessible = None, True
    elif not isinstance(feature, str) or feature.replace("-", "_") not in FEATURES:
        raise InvalidFloorInput("preferences.feature", f"feature must be one of {', '.join(FEATURES)} (or accessible)")
    else:
        feature = feature.replace("-", "_")
    return Preferences(section_id=section_id, feature=feature, accessible=accessible)


def check_party_size(party_size) -> int:
    if isinstance(party_size, bool) or not isinstance(party_size, int) or party_size < 1:
        raise InvalidFloorInput("party_size", "party_size must be a whole number of guests, at least 1")
    if party_size > 100:
        raise InvalidFloorInput("party_size", "party_size must be at most 100")
    return party_size


# --------------------------------------------------------------------------------------------------
# Server order, per mode
# --------------------------------------------------------------------------------------------------


def _rotation_base_key(server: ServerSpot):
    # Never seated this shift: first, by clock-in. Otherwise the one seated longest ago, then fewest covers.
    if server.last_seated_at is None:
        return (0, server.clock_in, 0, server.staff_id)
    return (1, server.last_seated_at, server.covers_shift, server.staff_id)


def _capacities(snapshot: FloorSnapshot, servers: list[ServerSpot]) -> dict[int, float]:
    """Each server's fair share of seats: their section's seats split among the servers working it;
    a server without a section gets the whole floor's seats split among everyone who takes tables."""
    seats_by_section: dict[int, int] = {}
    for table in snapshot.tables:
        seats_by_section[table.section_id] = seats_by_section.get(table.section_id, 0) + table.max_seats
    per_section: dict[int | None, int] = {}
    for server in servers:
        per_section[server.section_id] = per_section.get(server.section_id, 0) + 1
    floor_seats = sum(seats_by_section.values())
    capacities = {}
    for server in servers:
        if server.section_id is None:
            share = floor_seats / max(len(servers), 1)
        else:
            share = seats_by_section.get(server.section_id, 0) / per_section[server.section_id]
        capacities[server.staff_id] = max(share, 1.0)
    return capacities


def server_order(snapshot: FloorSnapshot, *, party_size: int) -> list[ServerStanding]:
    """Servers who can take a party now, first to last, by the restaurant's mode.

    In every mode a server the host skipped goes behind everyone not skipped; the skip is spent by the
    next seating, whoever gets that party (floor.services.seating clears every `skip_next`).
    In rotation mode `rotation_offset` moves a server up (negative) or down (positive) that many places
    from where the rotation would put them, for as long as the host leaves it set (0 resets it); on a tie
    of places the moved server goes first when moved up and last when moved down."""
    servers = [server for server in snapshot.servers if server.can_take_tables]
    capacities = _capacities(snapshot, servers)
    capped: set[int] = set()
    mode = snapshot.mode
    if mode == RoutingMode.BALANCED:
        ordered = sorted(
            servers,
            key=lambda s: (s.covers_now / capacities[s.staff_id],) + _rotation_base_key(s),
        )
    elif mode == RoutingMode.PERFORMANCE:
        lowest = min((s.covers_shift for s in servers), default=0)
        cap = snapshot.config.performance_covers_gap_cap
        capped = {s.staff_id for s in servers if s.covers_shift - lowest >= cap}
        large = party_size >= snapshot.config.large_party_size

        def performance_key(s: ServerSpot):
            level = TIER_LEVEL.get(s.tier, 1)
            weighted = s.covers_shift / TIER_SHARE.get(s.tier, 1.0)
            if s.staff_id in capped:
                # Too far ahead of the lightest server: wait behind everyone, lightest first.
                return (1, s.covers_shift, 0, 0) + _rotation_base_key(s)
            if large:
                return (0, -level, weighted, 0) + _rotation_base_key(s)
            return (0, weighted, -level, 0) + _rotation_base_key(s)

        ordered = sorted(servers, key=performance_key)
    else:
        base = sorted(servers, key=_rotation_base_key)
        place = {s.staff_id: index for index, s in enumerate(base)}
        ordered = sorted(
            base, key=lambda s: (place[s.staff_id] + s.rotation_offset, s.rotation_offset, place[s.staff_id])
        )
    ordered = [s for s in ordered if not s.skip_next] + [s for s in ordered if s.skip_next]
    return [
        ServerStanding(server=s, rank=rank, capacity=capacities[s.staff_id], capped=s.staff_id in capped)
        for rank, s in enumerate(ordered)
    ]


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """A candidate place for the party: one table or tables pushed together, all in one section."""

    tables: tuple[TableSpot, ...]

    @property
    def section_id(self) -> int:
        return self.tables[0].section_id

    @property
    def seats(self) -> int:
        return sum(t.max_seats for t in self.tables)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(t.id for t in self.tables)


def _combinations(free: list[TableSpot], party_size: int) -> list[_Place]:
    """The best way to push tables together for the party in each (combinable group, section):
    fewest wasted seats, then fewest tables, then lowest ids."""
    groups: dict[tuple[str, int], list[TableSpot]] = {}
    for table in free:
        if table.combinable_group:
            groups.setdefault((table.combinable_group, table.section_id), []).append(table)
    places = []
    for key in sorted(groups):
        pool = sorted(groups[key], key=lambda t: (-t.max_seats, t.id))[:COMBINATION_POOL]
        best = None
        for size in range(2, min(COMBINATION_MAX_TABLES, len(pool)) + 1):
            for combo in itertools.combinations(pool, size):
                seats = sum(t.max_seats for t in combo)
                if seats < party_size:
                    continue
                candidate = (seats - party_size, size, tuple(sorted(t.id for t in combo)))
                if best is None or candidate < best[0]:
                    best = (candidate, combo)
        if best is not None:
            places.append(_Place(tables=tuple(sorted(best[1], key=lambda t: t.id))))
    return places


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _minutes(delta: timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def _short_names(servers: tuple[ServerSpot, ...]) -> dict[int, str]:
    """First names, unless two people on the floor share one: then the full name."""
    firsts: dict[str, int] = {}
    for server in servers:
        first = server.name.split()[0] if server.name.split() else server.name
        firsts[first] = firsts.get(first, 0) + 1
    names = {}
    for server in servers:
        first = server.name.split()[0] if server.name.split() else server.name
        names[server.staff_id] = first if firsts[first] == 1 else server.name
    return names


def _table_text(place: _Place, party_size: int, prefs: Preferences, snapshot: FloorSnapshot) -> str:
    wasted = place.seats - party_size
    fit = "exact fit" if wasted == 0 else f"{wasted} spare seat{'s' if wasted != 1 else ''}"
    asked = []
    if prefs.feature:
        has = all(prefs.feature in t.features for t in place.tables)
        asked.append(f"{prefs.feature.replace('_', '-')} {'as asked' if has else 'not available'}")
    if prefs.section_id is not None:
        name = snapshot.section_names.get(prefs.section_id, "the section asked")
        asked.append(f"in {name} as asked" if place.section_id == prefs.section_id else f"not in {name}")
    extra = "; " + ", ".join(asked) if asked else ""
    if len(place.tables) == 1:
        table = place.tables[0]
        return f"Table {table.label} ({table.max_seats}-top, {fit}{extra})"
    labels = "+".join(t.label for t in place.tables)
    return f"Tables {labels} (pushed together, {place.seats} seats, {fit}{extra})"


def _server_text(standing: ServerStanding, snapshot: FloorSnapshot, double_seat: bool) -> str:
    server = standing.server
    mode = snapshot.mode
    parts = []
    if mode == RoutingMode.BALANCED:
        load = f"{server.covers_now} covers on {standing.capacity:g} seats"
        parts.append(f"lightest load, {load}" if standing.rank == 0 else load)
    elif mode == RoutingMode.PERFORMANCE:
        tier = str(server.tier)
        lead = f"{tier} tier, {server.covers_shift} covers this shift"
        if standing.capped:
            lead += f" (held back: {snapshot.config.performance_covers_gap_cap}+ covers ahead)"
        elif standing.rank == 0:
            lead = "first for this party: " + lead
        parts.append(lead)
    else:
        parts.append("next in rotation" if standing.rank == 0 else f"{_ordinal(standing.rank + 1)} in rotation")
    if server.last_seated_at is None:
        parts.append("not seated yet this shift")
    else:
        parts.append(f"last seated {_minutes(snapshot.now - server.last_seated_at)} min ago")
    if mode != RoutingMode.BALANCED:
        parts.append(f"{server.covers_now} covers now")
    if double_seat:
        parts.append("double seat")
    if server.skip_next:
        parts.append("skipped once by the host")
    if mode == RoutingMode.ROTATION and server.rotation_offset:
        direction = "up" if server.rotation_offset < 0 else "down"
        parts.append(f"moved {direction} {abs(server.rotation_offset)} by the host")
    if server.section_id is None:
        parts.append("covers every section")
    return ", ".join(parts)


def _score(
    place: _Place, standing: ServerStanding, party_size: int, prefs: Preferences, snapshot: FloorSnapshot
) -> tuple[float, dict[str, float], bool]:
    server = standing.server
    breakdown = {
        "server_priority": max(SERVER_TOP_PRIORITY - SERVER_RANK_STEP * standing.rank, 0.0),
        "table_fit": WASTED_SEAT_POINTS * (place.seats - party_size),
        "combination": EXTRA_TABLE_POINTS * (len(place.tables) - 1),
        "preference": 0.0,
        "double_seat": 0.0,
    }
    if prefs.feature and all(prefs.feature in t.features for t in place.tables):
        breakdown["preference"] += PREFERENCE_POINTS
    if prefs.section_id is not None and place.section_id == prefs.section_id:
        breakdown["preference"] += PREFERENCE_POINTS
    window = timedelta(minutes=snapshot.config.double_seat_window_minutes)
    double_seat = server.last_seated_at is not None and snapshot.now - server.last_seated_at < window
    if double_seat:
        breakdown["double_seat"] = -snapshot.config.double_seat_penalty
    total = round(sum(breakdown.values()), 2)
    return total, breakdown, double_seat


def _no_server_reason(snapshot: FloorSnapshot) -> str:
    floor = [s for s in snapshot.servers if s.role in PERFORMANCE_TRACKED_ROLES]
    if not floor:
        return "no server on the floor"
    if all(s.on_break for s in floor):
        return "every server on the floor is on break"
    if all(s.cut for s in floor):
        return "every server on the floor is cut"
    return "no server on the floor can take a party (on break or cut)"


def _no_place_reason(
    snapshot: FloorSnapshot, party_size: int, prefs: Preferences, free: list[TableSpot], staffed: list[TableSpot]
) -> str:
    largest = max(t.max_seats for t in snapshot.tables)
    group_seats: dict[tuple[str, int], int] = {}
    for t in snapshot.tables:
        if t.combinable_group:
            key = (t.combinable_group, t.section_id)
            group_seats[key] = group_seats.get(key, 0) + t.max_seats
    if party_size > largest and party_size > max(group_seats.values(), default=0):
        return f"no table or combination of tables seats {party_size} (largest table: {largest})"
    accessible = " accessible" if prefs.accessible else ""
    unstaffed = [t for t in free if t.fits(party_size) and t not in staffed]
    if unstaffed:
        sections = sorted({snapshot.section_names.get(t.section_id, f"section {t.section_id}") for t in unstaffed})
        return f"free{accessible} tables for {party_size} are in sections with no server ({', '.join(sections)})"
    return f"no free{accessible} table for {party_size}"


def rank_seatings(
    snapshot: FloorSnapshot, *, party_size: int, preferences: Preferences | None = None, limit: int = DEFAULT_LIMIT
) -> Ranking:
    """Ranked (table, server) recommendations for a party on this floor. Pure: no database.

    Hard rules: the table is free (available, no open visit); the party fits its seats, or, for a large
    party no single free table fits, free tables of one combinable group in one section pushed together;
    an accessible table when the party needs one; a server who can take tables (clocked in as a server or
    bartender, not on break, not cut) works the table's section or has no section. Each table appears
    once, with its best server."""
    prefs = preferences or Preferences()
    if not snapshot.tables:
        return Ranking(recommendations=[], reason="no tables are set up")
    order = server_order(snapshot, party_size=party_size)
    if not order:
        return Ranking(recommendations=[], reason=_no_server_reason(snapshot), order=order)
    by_section: dict[int | None, list[ServerStanding]] = {}
    for standing in order:
        by_section.setdefault(standing.server.section_id, []).append(standing)
    floaters = by_section.get(None, [])

    def servers_for(section_id: int) -> list[ServerStanding]:
        return sorted(by_section.get(section_id, []) + floaters, key=lambda st: st.rank)

    free = [t for t in snapshot.tables if t.is_free and (t.accessible or not prefs.accessible)]
    staffed = [t for t in free if servers_for(t.section_id)]
    places = [_Place(tables=(t,)) for t in staffed if t.fits(party_size)]
    largest = max(t.max_seats for t in snapshot.tables)
    if not places and (party_size >= snapshot.config.large_party_size or party_size > largest):
        places = _combinations([t for t in staffed if party_size > t.max_seats], party_size)
    if not places:
        reason = _no_place_reason(snapshot, party_size, prefs, free, staffed)
        return Ranking(recommendations=[], reason=reason, order=order)

    names = _short_names(snapshot.servers)
    scored = []
    for place in places:
        best = None
        for standing in servers_for(place.section_id):
            total, breakdown, double_seat = _score(place, standing, party_size, prefs, snapshot)
            key = (-total, standing.rank, standing.server.staff_id)
            if best is None or key < best[0]:
                best = (key, standing, total, breakdown, double_seat)
        key, standing, total, breakdown, double_seat = best
        table_part = _table_text(place, party_size, prefs, snapshot)
        reason = f"{table_part} with {names[standing.server.staff_id]}: {_server_text(standing, snapshot, double_seat)}"
        recommendation = Recommendation(
            table_ids=list(place.ids),
            table_labels=[t.label for t in place.tables],
            section_id=place.section_id,
            seats=place.seats,
            server_id=standing.server.staff_id,
            server_name=standing.server.name,
            score=total,
            breakdown=breakdown,
            reason=reason,
        )
        scored.append(((-total, standing.rank, place.seats - party_size, place.ids), recommendation))
    scored.sort(key=lambda item: item[0])
    return Ranking(recommendations=[rec for _, rec in scored[:limit]], order=order)


# --------------------------------------------------------------------------------------------------
# Loading a snapshot from the database: a fixed number of queries
# --------------------------------------------------------------------------------------------------


SNAPSHOT_TABLE_FIELDS = (
    "id",
    "label",
    "section_id",
    "min_seats",
    "max_seats",
    "state",
    "is_booth",
    "is_patio",
    "is_high_top",
    "is_accessible",
    "combinable_group",
)
SNAPSHOT_VISIT_FIELDS = ("table_id", "server_id", "party_size", "seated_at", "closed_at")


def load_floor_snapshot(
    *,
    restaurant,
    now: datetime | None = None,
    rows: FloorRows | None = None,
    section_names: dict[int, str] | None = None,
) -> FloorSnapshot:
    """The floor as the engine needs it, in four queries whatever its size: sections, active tables,
    shifts on the floor (with breaks), and the visits that are open or were seated this shift. No query when
    given the floor's rows read at the same `now` (`floor.selectors.floor_rows`) and the section names:
    the host stand's board reads the floor once for everything it shows."""
    now = now or timezone.now()
    if section_names is None:
        section_names = dict(Section.objects.for_restaurant(restaurant).values_list("id", "name"))
    if rows is None:
        table_rows = list(
            Table.objects.for_restaurant(restaurant).filter(active=True).order_by("id").values(*SNAPSHOT_TABLE_FIELDS)
        )
        on_floor = shifts_on_floor(restaurant=restaurant)
    else:
        table_rows = [
            {name: getattr(table, name) for name in SNAPSHOT_TABLE_FIELDS}
            for table in sorted(rows.tables, key=lambda table: table.pk)
        ]
        on_floor = rows.on_floor
    since = max(min((entry.shift.clock_in for entry in on_floor), default=now), now - SHIFT_LOOKBACK)
    if rows is None:
        visits = list(
            Visit.objects.for_restaurant(restaurant)
            .filter(Q(closed_at__isnull=True) | Q(seated_at__gte=since))
            .values_list(*SNAPSHOT_VISIT_FIELDS)
        )
    else:  # the rows hold every visit this needs, and perhaps older ones of this shift's servers
        visits = [
            tuple(getattr(visit, name) for name in SNAPSHOT_VISIT_FIELDS)
            for visit in rows.visits
            if visit.closed_at is None or visit.seated_at >= since
        ]
    open_tables = {table_id for table_id, _, _, _, closed_at in visits if closed_at is None}
    tables = tuple(
        TableSpot(
            id=row["id"],
            label=row["label"],
            section_id=row["section_id"],
            min_seats=row["min_seats"],
            max_seats=row["max_seats"],
            state=row["state"],
            features=frozenset(name for name in FEATURES if row[f"is_{name}"]),
            accessible=row["is_accessible"],
            combinable_group=row["combinable_group"],
            has_open_visit=row["id"] in open_tables,
        )
        for row in table_rows
    )
    servers = []
    for entry in on_floor:
        shift = entry.shift
        mine = [v for v in visits if v[1] == shift.staff_id]
        this_shift = [v for v in mine if v[3] >= shift.clock_in]
        open_now = [v for v in mine if v[4] is None]
        servers.append(
            ServerSpot(
                staff_id=shift.staff_id,
                name=shift.staff.name,
                shift_id=shift.pk,
                clock_in=shift.clock_in,
                section_id=shift.section_id,
                role=shift.role,
                tier=shift.staff.tier,
                on_break=entry.on_break,
                cut=shift.cut,
                skip_next=shift.skip_next,
                rotation_offset=shift.rotation_offset,
                last_seated_at=max((v[3] for v in this_shift), default=None),
                covers_now=sum(v[2] for v in open_now),
                tables_now=len(open_now),
                covers_shift=sum(v[2] for v in this_shift),
                parties_shift=len(this_shift),
            )
        )
    return FloorSnapshot(
        now=now,
        mode=restaurant.routing_mode,
        config=RoutingConfig.from_settings(restaurant.routing_config),
        tables=tables,
        servers=tuple(servers),
        section_names=section_names,
    )


# --------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------


@dataclass
class RoutingResult:
    """What `route_party` answers: recommendations best first (or none and why) and the decision's id."""

    party_size: int
    mode: str
    recommendations: list[Recommendation]
    reason: str = ""
    decision_id: int | None = None
    preferences: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "decision_id": self.decision_id,
            "party_size": self.party_size,
            "mode": self.mode,
            "preferences": self.preferences,
            "recommendations": [rec.as_dict() for rec in self.recommendations],
            "reason": self.reason,
        }


def route_party(
    *,
    restaurant,
    party_size: int,
    preferences: dict | None = None,
    waitlist_entry=None,
    now: datetime | None = None,
    requested_by=None,
    record: bool = True,
    limit: int = DEFAULT_LIMIT,
) -> RoutingResult:
    """Where to seat a party now, best first. With a waitlist entry, its preferences apply unless others
    are given. With `record`, the answer is saved as a RoutingDecision (seating later notes whether the
    host followed it). Reads a fixed number of rows sets whatever the floor's size."""
    party_size = check_party_size(party_size)
    if waitlist_entry is not None:
        if waitlist_entry.restaurant_id != restaurant.pk:
            raise WrongRestaurant("waitlist_entry_id")
        if not waitlist_entry.is_open:
            raise WaitlistEntryClosed(
                f"{waitlist_entry.party_name}'s entry is {waitlist_entry.status}; it cannot be routed.",
                details={"waitlist_entry_id": waitlist_entry.pk, "status": waitlist_entry.status},
            )
        if preferences is None:
            preferences = waitlist_entry.preferences
    prefs = parse_preferences(preferences)
    snapshot = load_floor_snapshot(restaurant=restaurant, now=now)
    if prefs.section_id is not None and prefs.section_id not in snapshot.section_names:
        raise InvalidFloorInput("preferences.section_id", f"section {prefs.section_id} not found in this restaurant")
    ranking = rank_seatings(snapshot, party_size=party_size, preferences=prefs, limit=limit)
    result = RoutingResult(
        party_size=party_size,
        mode=snapshot.mode,
        recommendations=ranking.recommendations,
        reason=ranking.reason,
        preferences=prefs.as_dict(),
    )
    if record:
        result.decision_id = _record_decision(
            restaurant=restaurant,
            snapshot=snapshot,
            ranking=ranking,
            party_size=party_size,
            prefs=prefs,
            waitlist_entry=waitlist_entry,
            requested_by=requested_by,
        ).pk
    return result


def _record_decision(
    *, restaurant, snapshot: FloorSnapshot, ranking, party_size: int, prefs, waitlist_entry, requested_by
) -> RoutingDecision:
    """Persist what was recommended (the top one apart, for the follow rate) as a RoutingDecision."""
    top = ranking.recommendations[0] if ranking.recommendations else None
    return RoutingDecision.objects.create(
        restaurant=restaurant,
        party_size=party_size,
        preferences=prefs.as_dict(),
        waitlist_entry=waitlist_entry,
        mode=snapshot.mode,
        recommendations=[rec.as_dict() for rec in ranking.recommendations],
        recommended_table_id=top.table_id if top else None,
        recommended_server_id=top.server_id if top else None,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        created_at=snapshot.now,
    )


# --------------------------------------------------------------------------------------------------
# Seat next: the first waiting party that fits now
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassedOver:
    """A waiting party "seat next" could not seat now, and why, in words a host reads at a glance."""

    waitlist_entry_id: int
    party_name: str
    party_size: int
    reason: str


@dataclass
class NextPartyResult:
    """What `route_next_party` answers: the party to seat next (the first on the list when nobody fits,
    None when nobody waits), its recommendations, and the parties checked and passed over."""

    entry: object | None
    position: int | None
    mode: str
    recommendations: list[Recommendation]
    passed_over: list[PassedOver]
    reason: str = ""
    decision_id: int | None = None
    preferences: dict = field(default_factory=dict)


def _free_tables_text(snapshot: FloorSnapshot, party_size: int, prefs: Preferences) -> str:
    kind = "accessible " if prefs.accessible else ""
    free = [t for t in snapshot.tables if t.is_free and (t.accessible or not prefs.accessible)]
    if not free:
        return f"no {kind}table is free"
    big_enough = [t for t in free if t.max_seats >= party_size]
    if not big_enough:
        return f"largest free {kind}is a {max(t.max_seats for t in free)}-top"
    # Free tables with seats enough, kept for larger parties (their minimum is higher): say the closest.
    closest = min(big_enough, key=lambda t: (t.min_seats, t.max_seats, t.id))
    return f"the free {closest.max_seats}-top takes {closest.min_seats} to {closest.max_seats}"


def _waiting_reason(snapshot: FloorSnapshot, ranking: Ranking, party_size: int, prefs: Preferences) -> str:
    # "no free table for 9" alone leaves the host asking what is free: say so.
    if ranking.reason.startswith("no free"):
        return f"{ranking.reason} — {_free_tables_text(snapshot, party_size, prefs)}"
    return ranking.reason


def route_next_party(
    *, restaurant, now: datetime | None = None, requested_by=None, record: bool = True, limit: int = DEFAULT_LIMIT
) -> NextPartyResult:
    """Seat next: walk the open waitlist first come first and answer the first party that fits now, with
    its recommendations and why each party ahead of it waits; nobody fits: the first party, no
    recommendations and its reason. With `record`, one RoutingDecision for the party answered, linked to
    its entry, as `route_party` records it. One snapshot for the whole list: six queries (the queue, the
    snapshot's four, the decision) whatever the queue's length."""
    # Imported here: the quote engine brings numpy along, which the routing core does not need.
    from floor.services.quotes import open_queue

    entries = open_queue(restaurant=restaurant)
    if not entries:
        return NextPartyResult(
            entry=None,
            position=None,
            mode=restaurant.routing_mode,
            recommendations=[],
            passed_over=[],
            reason="nobody is waiting",
        )
    snapshot = load_floor_snapshot(restaurant=restaurant, now=now)
    # Parties of one size and the same wishes get the same answer from one floor: rank each kind once.
    rankings: dict[tuple[int, Preferences], tuple[Ranking, str]] = {}
    checked: list[tuple[int, object, Preferences, Ranking, str]] = []
    chosen = None
    for position, entry in enumerate(entries, start=1):
        try:
            prefs = parse_preferences(entry.preferences)
        except InvalidFloorInput:
            # Stored preferences the engine cannot read (edited by hand in admin): the host routes them.
            checked.append((position, entry, Preferences(), Ranking([]), "preferences unreadable: seat them by hand"))
            continue
        key = (entry.party_size, prefs)
        if key not in rankings:
            ranking = rank_seatings(snapshot, party_size=entry.party_size, preferences=prefs, limit=limit)
            rankings[key] = (ranking, _waiting_reason(snapshot, ranking, entry.party_size, prefs))
        ranking, reason = rankings[key]
        if ranking.recommendations:
            chosen = (position, entry, prefs, ranking, "")
            break
        checked.append((position, entry, prefs, ranking, reason))
    if chosen is None:
        chosen, checked = checked[0], checked[1:]
    position, entry, prefs, ranking, reason = chosen
    result = NextPartyResult(
        entry=entry,
        position=position,
        mode=snapshot.mode,
        recommendations=ranking.recommendations,
        passed_over=[
            PassedOver(
                waitlist_entry_id=other.pk,
                party_name=other.party_name,
                party_size=other.party_size,
                reason=f"{other.party_name} ({other.party_size}): {why}",
            )
            for _, other, _, _, why in checked
        ],
        reason=reason,
        preferences=prefs.as_dict(),
    )
    if record:
        result.decision_id = _record_decision(
            restaurant=restaurant,
            snapshot=snapshot,
            ranking=ranking,
            party_size=entry.party_size,
            prefs=prefs,
            waitlist_entry=entry,
            requested_by=requested_by,
        ).pk
    return result
