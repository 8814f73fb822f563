"""Server order: who takes the next party, first to last, by the restaurant's mode (rotation by turns or
by covers per hour, balanced, performance by tier), with the host's skips and moves; and which servers
may take a party at each table. Pure, like the rest of the engine; the routing engine (routing.py), the
board and tonight's fairness use it."""

from __future__ import annotations

from dataclasses import dataclass

from floor.engine.floor import (
    BALANCED,
    COVERS,
    DEVELOPING,
    PERFORMANCE,
    STANDARD,
    STRONG,
    FloorServer,
    FloorSnapshot,
    minutes_between,
)

TIER_LEVEL = {STRONG: 2, STANDARD: 1, DEVELOPING: 0}
# Performance mode: how many covers a tier takes relative to a standard server before their turn.
TIER_SHARE = {STRONG: 1.4, STANDARD: 1.0, DEVELOPING: 0.7}
# Covers per hour on the floor count from at least this long, so the first party of a shift is no outlier.
MIN_FLOOR_HOURS = 0.25


@dataclass(frozen=True)
class ServerStanding:
    """A server's place in the order the mode gives for one party, with the figures behind it."""

    server: FloorServer
    rank: int
    capacity: float  # the seats that are this server's fair share (balanced mode's denominator)
    capped: bool = False  # performance mode: held back because they are too many covers ahead


# --------------------------------------------------------------------------------------------------
# Server order, per mode
# --------------------------------------------------------------------------------------------------


def _rotation_base_key(server: FloorServer):
    # Never seated this shift: first, by clock-in. Otherwise the one seated longest ago, then fewest covers.
    if server.last_seated_at is None:
        return (0, server.clock_in, 0, server.staff_id)
    return (1, server.last_seated_at, server.covers_shift, server.staff_id)


def covers_per_hour(server: FloorServer, now) -> float:
    """Covers this shift per hour on the floor: rotation's measure when it counts covers."""
    return server.covers_shift / max(minutes_between(server.clock_in, now) / 60, MIN_FLOOR_HOURS)


def _capacities(snapshot: FloorSnapshot, servers: list[FloorServer]) -> dict[int, float]:
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
    if mode == BALANCED:
        ordered = sorted(
            servers,
            key=lambda s: (s.covers_now / capacities[s.staff_id],) + _rotation_base_key(s),
        )
    elif mode == PERFORMANCE:
        lowest = min((s.covers_shift for s in servers), default=0)
        cap = snapshot.config.performance_covers_gap_cap
        capped = {s.staff_id for s in servers if s.covers_shift - lowest >= cap}
        large = party_size >= snapshot.config.large_party_size

        by_covers = snapshot.config.rotation_basis == COVERS

        def performance_key(s: FloorServer):
            level = TIER_LEVEL.get(s.tier, 1)
            taken = covers_per_hour(s, snapshot.now) if by_covers else s.covers_shift
            weighted = taken / TIER_SHARE.get(s.tier, 1.0)
            if s.staff_id in capped:
                # Too far ahead of the lightest server: wait behind everyone, lightest first.
                return (1, s.covers_shift, 0, 0) + _rotation_base_key(s)
            if large:
                return (0, -level, weighted, 0) + _rotation_base_key(s)
            return (0, weighted, -level, 0) + _rotation_base_key(s)

        ordered = sorted(servers, key=performance_key)
    else:
        if snapshot.config.rotation_basis == COVERS:
            # Fewest covers per hour on the floor first; turns break ties.
            base = sorted(servers, key=lambda s: (round(covers_per_hour(s, snapshot.now), 6),) + _rotation_base_key(s))
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


def rotation_positions(snapshot: FloorSnapshot) -> dict[int, int]:
    """Each server's place in the rotation for a party of two (1 = next), as the board shows it."""
    return {standing.server.staff_id: index for index, standing in enumerate(server_order(snapshot, party_size=2), 1)}


class Takers:
    """Who may take a party at a table of each section, first in the order first: those working the
    section, and those clocked in without one (they cover every section). The routing engine's rule."""

    def __init__(self, order: list[ServerStanding]):
        self.by_section: dict[int | None, list[ServerStanding]] = {}
        for standing in order:
            self.by_section.setdefault(standing.server.section_id, []).append(standing)
        self._cache: dict[int, list[ServerStanding]] = {}

    def __call__(self, section_id: int) -> list[ServerStanding]:
        if section_id not in self._cache:
            mine = self.by_section.get(section_id, []) if section_id is not None else []
            self._cache[section_id] = sorted(mine + self.by_section.get(None, []), key=lambda st: st.rank)
        return self._cache[section_id]


def servers_for_tables(snapshot: FloorSnapshot) -> dict[int, tuple[int, ...]]:
    """For each table, the servers who may take a party there now, next in rotation first (a party of two)."""
    takers = Takers(server_order(snapshot, party_size=2))
    return {t.id: tuple(st.server.staff_id for st in takers(t.section_id)) for t in snapshot.tables}
