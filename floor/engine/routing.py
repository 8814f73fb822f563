"""The routing engine: where to seat a party, and with which server. Pure: no database, deterministic
(every tie is broken by ids), so the benchmark replays simulated evenings through the very code a
host uses.

`rank_seatings` applies the hard rules, orders the servers by the restaurant's mode (`server_order`)
and scores every (table, server) pair; `next_party` walks a waitlist for "seat next". The score of a
recommendation is a sum of signed parts, each shown to the host (docs/routing.md): server priority
(100 for the server the mode puts first, 10 less per place), table fit (-20 per wasted seat, -10 per
extra table pushed together), preferences (+15 per wish met) and the double-seat penalty (the
restaurant's `double_seat_penalty`, 30 by default, when the server was seated within the last
`double_seat_window_minutes`).

Who comes first is `server_order.py`; which tables a waiting party may want kept is `outlook.py`."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from floor.engine import reasons
from floor.engine.floor import (
    FloorServer,
    FloorSnapshot,
    FloorTable,
    Preferences,
    minutes_between,
)
from floor.engine.outlook import KeptTable, Outlook, displaced_covers, kept_for
from floor.engine.server_order import ServerStanding, Takers, server_order

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
# Pacing: what each minute a party is held costs, against the double-seat penalty it saves.
HOLD_POINTS_PER_MINUTE = -5.0


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
    hold_minutes: int = 0  # pacing: seat in this many minutes (0: now)
    seat_at: str = ""  # when held: the local time to seat them, "19:42"

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
# Scoring
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    """A candidate place for the party: one table or tables pushed together, all in one section."""

    tables: tuple[FloorTable, ...]

    @property
    def section_id(self) -> int:
        return self.tables[0].section_id

    @property
    def seats(self) -> int:
        return sum(t.max_seats for t in self.tables)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(t.id for t in self.tables)


def _combinations(free: list[FloorTable], party_size: int) -> list[_Place]:
    """The best way to push tables together for the party in each (combinable group, section):
    fewest wasted seats, then fewest tables, then lowest ids."""
    groups: dict[tuple[str, int], list[FloorTable]] = {}
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


def _score(
    place: _Place, standing: ServerStanding, party_size: int, prefs: Preferences, snapshot: FloorSnapshot
) -> tuple[float, dict[str, float], bool]:
    server = standing.server
    config = snapshot.config
    over = server.tables_now + 1 - config.table_capacity(server.tier)
    breakdown = {
        "server_priority": max(SERVER_TOP_PRIORITY - SERVER_RANK_STEP * standing.rank, 0.0),
        "table_fit": WASTED_SEAT_POINTS * (place.seats - party_size),
        "combination": EXTRA_TABLE_POINTS * (len(place.tables) - 1),
        "preference": 0.0,
        "double_seat": 0.0,
        "hold": 0.0,
        "overload": -config.overload_penalty * max(over, 0),
        "borrowed": -config.borrow_penalty if server.section_id not in (None, place.section_id) else 0.0,
    }
    if prefs.feature and all(prefs.feature in t.features for t in place.tables):
        breakdown["preference"] += PREFERENCE_POINTS
    if prefs.section_id is not None and place.section_id == prefs.section_id:
        breakdown["preference"] += PREFERENCE_POINTS
    window = timedelta(minutes=config.double_seat_minutes)
    double_seat = server.last_seated_at is not None and snapshot.now - server.last_seated_at < window
    if double_seat:
        breakdown["double_seat"] = -config.double_seat_penalty
    total = round(sum(breakdown.values()), 2)
    return total, breakdown, double_seat


def hold_minutes(server: FloorServer, snapshot: FloorSnapshot) -> int | None:
    """Pacing: whole minutes until seating this server is no longer a double seat, when pacing is on and
    that is at most `hold_minutes_max`; None when there is nothing to wait for (or too long to wait)."""
    config = snapshot.config
    if config.pacing_minutes <= 0 or server.last_seated_at is None:
        return None
    left = config.double_seat_minutes - minutes_between(server.last_seated_at, snapshot.now)
    if left <= 0 or left > config.hold_minutes_max:
        return None
    return math.ceil(left)


@dataclass
class _Option:
    """One way to seat the party at a place: a server, now or after a pacing hold, with its score."""

    standing: ServerStanding
    total: float
    breakdown: dict[str, float]
    double_seat: bool
    hold: int = 0

    def key(self) -> tuple:
        # On a tie, seating now beats holding.
        return (-self.total, self.hold, self.standing.rank, self.standing.server.staff_id)


def _options(place: _Place, takers: list[ServerStanding], party_size: int, prefs, snapshot) -> list[_Option]:
    options = []
    for standing in takers:
        total, breakdown, double_seat = _score(place, standing, party_size, prefs, snapshot)
        options.append(_Option(standing, total, breakdown, double_seat))
        held = hold_minutes(standing.server, snapshot) if double_seat else None
        if held is not None:
            waited = {**breakdown, "double_seat": 0.0, "hold": HOLD_POINTS_PER_MINUTE * held}
            options.append(_Option(standing, round(sum(waited.values()), 2), waited, False, held))
    return options


def _takers(own: list[ServerStanding], borrowers: list[ServerStanding]) -> list[ServerStanding]:
    """Who may take a party at a table: its section's servers, then (when tables may be lent) everyone
    else who takes tables, at the borrowing penalty."""
    if not borrowers:
        return own
    mine = {standing.server.staff_id for standing in own}
    return own + [standing for standing in borrowers if standing.server.staff_id not in mine]


def _places(snapshot, party_size, prefs, staffed, outlook, servers_for) -> tuple[list[_Place], list[KeptTable]]:
    """Where the party could sit now: single tables that fit (less those kept for a larger waiting party),
    else, for a large party, tables pushed together (only when that seats more covers than the waiting
    parties those tables would take one by one)."""
    config = snapshot.config
    kept: list[KeptTable] = []
    places = []
    staffed_tables = [t for t in snapshot.tables if servers_for(t.section_id)]
    for table in staffed:
        if not table.fits(party_size):
            continue
        keep = None
        if outlook is not None:
            keep = kept_for(
                table,
                party_size,
                outlook=outlook,
                free=staffed,
                staffed_tables=staffed_tables,
                within_minutes=config.table_mix_minutes,
            )
        if keep is None:
            places.append(_Place(tables=(table,)))
        else:
            kept.append(keep)
    largest = max(t.max_seats for t in snapshot.tables)
    if not places and not kept and (party_size >= config.large_party_size or party_size > largest):
        places = _combinations([t for t in staffed if party_size > t.max_seats], party_size)
        if outlook is not None:
            places = [p for p in places if party_size > displaced_covers(p.tables, outlook.waiting)]
    return places, kept


def rank_seatings(
    snapshot: FloorSnapshot,
    *,
    party_size: int,
    preferences: Preferences | None = None,
    limit: int = DEFAULT_LIMIT,
    outlook: Outlook | None = None,
) -> Ranking:
    """Ranked (table, server) recommendations for a party on this floor.

    Hard rules: the table is free (available, no open party holds it); the party fits its seats, or, for
    a large party no single free table fits, free tables of one combinable group in one section pushed
    together; an accessible table when the party needs one; a server who can take tables (clocked in as
    a server or bartender, not on break, not cut) works the table's section or has no section. Each
    table appears once, with its best server, now or after a pacing hold (`hold_minutes`).
    With an `outlook` (the others waiting, when tables free) the busy-night rules apply too
    (floor.engine.outlook): a table may be kept for a larger waiting party, and tables are pushed
    together only when that seats more covers."""
    prefs = preferences or Preferences()
    if not snapshot.tables:
        return Ranking(recommendations=[], reason="no tables are set up")
    order = server_order(snapshot, party_size=party_size)
    if not order:
        return Ranking(recommendations=[], reason=reasons.no_server_reason(snapshot), order=order)
    servers_for = Takers(order)

    free = [t for t in snapshot.tables if t.is_free and (t.accessible or not prefs.accessible)]
    staffed = [t for t in free if servers_for(t.section_id)]
    places, kept = _places(snapshot, party_size, prefs, staffed, outlook, servers_for)
    if not places:
        if kept:
            reason = reasons.kept_reason(kept[0], party_size, snapshot)
        else:
            reason = reasons.no_place_reason(snapshot, party_size, prefs, free, staffed)
        return Ranking(recommendations=[], reason=reason, order=order)

    names = reasons.short_names(snapshot.servers)
    borrowers = order if snapshot.config.borrow_tables else []
    options = {
        place: _options(place, _takers(servers_for(place.section_id), borrowers), party_size, prefs, snapshot)
        for place in places
    }
    best_now = min(
        ((option, place) for place in places for option in options[place] if not option.hold),
        key=lambda pair: (pair[0].key(), pair[1].ids),
    )
    # A hold is the alternative to a double seat: when someone can take the party now without one, no hold.
    may_hold = best_now[0].double_seat
    scored = []
    for place in places:
        best = min((o for o in options[place] if may_hold or not o.hold), key=_Option.key)
        scored.append(((-best.total, best.standing.rank, place.seats - party_size, place.ids), place, best))
    scored.sort(key=lambda item: item[0])
    recommendations = []
    for _, place, option in scored[:limit]:
        standing = option.standing
        table_part = reasons.table_text(place.tables, party_size, prefs, snapshot)
        if option.hold:
            seat_at = reasons.clock_time(snapshot, option.hold)
            alternative, where = best_now
            reason = reasons.hold_text(
                table_part,
                held=names[standing.server.staff_id],
                seat_at=seat_at,
                minutes=option.hold,
                alternative=names[alternative.standing.server.staff_id],
                alternative_tables=[t.label for t in where.tables] if where is not place else [],
            )
        else:
            seat_at = ""
            server_part = reasons.server_text(
                standing.server,
                rank=standing.rank,
                capacity=standing.capacity,
                capped=standing.capped,
                snapshot=snapshot,
                double_seat=option.double_seat,
                section_id=place.section_id,
            )
            reason = f"{table_part} with {names[standing.server.staff_id]}: {server_part}"
        recommendations.append(
            Recommendation(
                table_ids=list(place.ids),
                table_labels=[t.label for t in place.tables],
                section_id=place.section_id,
                seats=place.seats,
                server_id=standing.server.staff_id,
                server_name=standing.server.name,
                score=option.total,
                breakdown=option.breakdown,
                reason=reason,
                hold_minutes=option.hold,
                seat_at=seat_at,
            )
        )
    return Ranking(recommendations=recommendations, order=order)


# --------------------------------------------------------------------------------------------------
# Seat next: the first waiting party that fits now
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A party on the waitlist as "seat next" reads it; `prefs` None when its stored preferences are
    unreadable (edited by hand in admin): the host routes those."""

    key: object
    party_size: int
    prefs: Preferences | None


@dataclass(frozen=True)
class Checked:
    """A waiting party "seat next" looked at: its place in the queue, its ranking and why it waits."""

    position: int
    party: Waiting
    ranking: Ranking
    reason: str

    @property
    def prefs(self) -> Preferences:
        return self.party.prefs or Preferences()


UNREADABLE = "preferences unreadable: seat them by hand"


def next_party(
    snapshot: FloorSnapshot, queue: list[Waiting], *, limit: int = DEFAULT_LIMIT, outlook: Outlook | None = None
) -> tuple[Checked, list[Checked]]:
    """Walk the queue first come first: the first party that fits now, and those ahead of it that do not,
    each with why. Nobody fits: the first party (with its reason) and the others. The queue is not empty.
    Parties of one size and the same wishes get the same answer from one floor: each kind is ranked once."""
    rankings: dict[tuple[int, Preferences], tuple[Ranking, str]] = {}
    passed: list[Checked] = []
    for position, party in enumerate(queue, start=1):
        if party.prefs is None:
            passed.append(Checked(position, party, Ranking([]), UNREADABLE))
            continue
        kind = (party.party_size, party.prefs)
        if kind not in rankings:
            # The outlook is the whole queue's; each party's leaves the party itself out (outlook.py).
            theirs = outlook.without(party.party_size) if outlook is not None else None
            ranking = rank_seatings(
                snapshot, party_size=party.party_size, preferences=party.prefs, limit=limit, outlook=theirs
            )
            why = reasons.waiting_reason(snapshot, ranking.reason, party.party_size, party.prefs)
            rankings[kind] = (ranking, why)
        ranking, why = rankings[kind]
        if ranking.recommendations:
            return Checked(position, party, ranking, ""), passed
        passed.append(Checked(position, party, ranking, why))
    return passed[0], passed[1:]
