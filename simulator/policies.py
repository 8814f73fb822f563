"""Seat and quote policies the simulator ships with.

`rotation_host_policy` is how a plain host stand seats people (rotation by section, smallest table
that fits): it makes the demo history look like a real restaurant. It is NOT the product's routing
engine; benchmarks replay the same arrivals through that engine and compare. `random_policy` is the
baseline a fair policy must beat; `host_quote` is a host's rule-of-thumb wait quote."""

from __future__ import annotations

import math
import random

from simulator.records import Party
from simulator.service import AVAILABLE, DIRTY, OCCUPIED, FloorState, Seating, SeatPolicy, ServerView, TableView


def _fitting_tables(state: FloorState, party: Party, sections) -> list[TableView]:
    return [t for t in state.tables if t.state == AVAILABLE and t.section in sections and t.fits(party.size)]


def _table_key(party: Party, table: TableView) -> tuple:
    wanted = party.preference.get("feature")
    return (0 if not wanted or wanted in table.features else 1, table.max_seats - party.size, table.id)


def _rotation_key(server: ServerView) -> tuple:
    # Seated longest ago goes next (never seated counts from clocking in); ties by fewer covers.
    return (server.last_seated_at or server.clock_in, server.covers, server.id)


def rotation_host_policy(state: FloorState, party: Party) -> Seating | None:
    """Next server in the rotation who has a fitting table; their best table (feature, least waste)."""
    accepting = state.accepting_by_section()
    if not accepting:
        return None
    best: dict[int, TableView] = {}
    for table in _fitting_tables(state, party, accepting):
        if table.section not in best or _table_key(party, table) < _table_key(party, best[table.section]):
            best[table.section] = table
    if not best:
        return _joined_seating(state, party, accepting)
    wanted = party.preference.get("feature")
    if wanted and any(wanted in t.features for t in best.values()):
        best = {section: t for section, t in best.items() if wanted in t.features}
    server = min((s for section in best for s in accepting[section]), key=_rotation_key)
    return Seating((best[server.section].id,), server.id)


def _joined_seating(state: FloorState, party: Party, accepting: dict[int, list[ServerView]]) -> Seating | None:
    """Push a combinable group together, but only for a party no single table could ever seat: then
    every occupied table of the history carries its own open visit."""
    if any(t.fits(party.size) for t in state.tables):
        return None
    groups: dict[str, list[TableView]] = {}
    for table in state.tables:
        if table.combinable_group:
            groups.setdefault(table.combinable_group, []).append(table)
    options = []
    for tables in groups.values():
        seats = sum(t.max_seats for t in tables)
        if seats >= party.size and all(t.state == AVAILABLE and t.section in accepting for t in tables):
            options.append((seats - party.size, tables[0].id, tables))
    if not options:
        return None
    _, _, tables = min(options, key=lambda option: option[:2])
    server = min(accepting[tables[0].section], key=_rotation_key)
    return Seating(tuple(t.id for t in tables), server.id)


def random_policy(seed: int) -> SeatPolicy:
    """A baseline: any fitting free table in a staffed section, any server taking parties there."""
    rng = random.Random(seed)

    def policy(state: FloorState, party: Party) -> Seating | None:
        accepting = state.accepting_by_section()
        tables = _fitting_tables(state, party, accepting)
        if not tables:
            return _joined_seating(state, party, accepting) if accepting else None
        table = rng.choice(tables)
        return Seating((table.id,), rng.choice(accepting[table.section]).id)

    return policy


def host_quote(state: FloorState, party: Party) -> int:
    """A host's quote: when the k-th fitting table should free up, k being the parties ahead that
    need the same tables; padded 10% and rounded up to 5 minutes."""
    staffed = state.accepting_by_section()
    tables = [t for t in state.tables if t.fits(party.size) and t.section in staffed]
    if not tables:
        return 45
    now = state.now
    remaining = []
    for table in tables:
        if table.state == OCCUPIED:
            seated_for = (now - table.since).total_seconds() / 60
            expected = state.expected_dining_minutes(table.party_size, party.day_part)
            remaining.append(max(5.0, expected - seated_for) + 5)
        elif table.state == DIRTY:
            remaining.append(5.0)
        else:
            remaining.append(0.0)
    remaining.sort()
    sizes = {size for t in tables for size in range(t.min_seats, t.max_seats + 1)}
    ahead = 0
    for waiting in state.waitlist:
        if waiting.party is party:
            break
        if waiting.party.size in sizes:  # the host cannot know who has quietly left
            ahead += 1
    rounds, position = divmod(ahead, len(remaining))
    estimate = remaining[position] + rounds * state.expected_dining_minutes(party.size, party.day_part)
    return int(min(120, max(5, 5 * math.ceil(estimate * 1.1 / 5))))
