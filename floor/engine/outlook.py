"""What the floor will look like in a few minutes, for the busy-night rules of the routing engine.

`Outlook` carries the other parties waiting (their sizes, first come first) and, for each occupied or
dirty table, the minutes until it is expected free (the quote model's `table_free_minutes`). With it
the engine applies two rules (docs/routing.md):

- *table mix*: a table with spare seats is kept for a larger waiting party when a table that fits
  this party better frees within `table_mix_minutes` (`kept_for`);
- *push together only for more covers*: tables are pushed together for a party only when it seats
  more covers than the waiting parties those tables would otherwise take one by one
  (`displaced_covers`).

The quotes' queue simulation seats its parties by the same table mix (`table_mix_choice`), so a couple
quoted on a busy night is quoted the wait for the table the engine will give it.

Pure, like the rest of the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from floor.engine.floor import FloorTable


@dataclass(frozen=True)
class Outlook:
    """The other waiting parties' sizes (queue order) and expected minutes until each busy table frees."""

    waiting: tuple[int, ...] = ()
    frees_in: dict[int, float] = field(default_factory=dict)

    def without(self, party_size: int) -> Outlook:
        """The outlook of a waiting party of this size: the others waiting, the first of its size taken out.
        Every party of one size gets the same one, so "seat next" still ranks each kind of party once."""
        waiting = list(self.waiting)
        if party_size in waiting:
            waiting.remove(party_size)
        return Outlook(waiting=tuple(waiting), frees_in=self.frees_in)


@dataclass(frozen=True)
class KeptTable:
    """Why a free table is not offered to this party: kept for a larger waiting party, and the table
    that fits this party better and frees soon."""

    table: FloorTable
    for_size: int
    better: FloorTable
    minutes: float


def kept_for(
    table: FloorTable,
    party_size: int,
    *,
    outlook: Outlook,
    free: list[FloorTable],
    staffed_tables: list[FloorTable],
    within_minutes: float,
) -> KeptTable | None:
    """Whether to keep this free table from the party: it has spare seats, a larger waiting party fits
    it, the free tables such parties could take are no more than those parties, and a table that fits
    this party with fewer seats (in a staffed section) frees within `within_minutes`."""
    if within_minutes <= 0 or table.max_seats <= party_size:
        return None
    larger = [size for size in outlook.waiting if size > party_size and table.fits(size)]
    if not larger:
        return None
    room = [t for t in free if t.max_seats > party_size and any(t.fits(size) for size in larger)]
    if len(room) > len(larger):
        return None  # enough larger tables for every larger party waiting
    soon = [
        (outlook.frees_in[t.id], t.max_seats, t.id, t)
        for t in staffed_tables
        if t.id in outlook.frees_in
        and t.fits(party_size)
        and t.max_seats < table.max_seats
        and outlook.frees_in[t.id] <= within_minutes
    ]
    if not soon:
        return None
    minutes, _, _, better = min(soon)
    return KeptTable(table=table, for_size=larger[0], better=better, minutes=minutes)


def displaced_covers(tables: tuple[FloorTable, ...], waiting: tuple[int, ...]) -> int:
    """Covers these tables would seat one by one for the parties waiting: each table, largest first,
    takes the largest waiting party it fits that no other table took."""
    left = sorted(waiting, reverse=True)
    covers = 0
    for table in sorted(tables, key=lambda t: (-t.max_seats, t.id)):
        for position, size in enumerate(left):
            if table.fits(size):
                covers += size
                del left[position]
                break
    return covers


# -- the table mix in the quotes' queue simulation ---------------------------------------------------


def _keepable_for(indices: np.ndarray, tables: list[FloorTable], size: int, larger: int, memo: dict) -> np.ndarray:
    """Which of these slots are a single table with spare seats for `size` that a party of `larger` fits."""
    key = (id(indices), size, larger)
    if key not in memo:
        memo[key] = np.array(
            [
                (slot == slot[0]).all() and tables[slot[0]].max_seats > size and tables[slot[0]].fits(larger)
                for slot in indices
            ]
        )
    return memo[key]


def table_mix_choice(
    times: np.ndarray,
    chosen: np.ndarray,
    indices: np.ndarray,
    tables: list[FloorTable],
    sizes: list[int],
    position: int,
    within: float,
    memo: dict,
) -> np.ndarray:
    """For the quotes' queue simulation (floor.engine.quotes.simulate_waits, runs x slots of `times`, the
    queue's party `sizes`): the slot each run seats the party at `position` at under the table mix (`kept_for`):
    when the first slot to free is a single table with spare seats that a larger party fits, and there
    are no more such tables free then than such parties, the party takes instead the first slot no larger
    party needs, if it frees within `within` minutes. The larger parties are those of the queue now,
    ahead or behind: by the time this party reaches the front, the ones ahead are seated and others have
    joined, and on a busy night the queue's mix holds (the engine's outlook is the queue at that moment,
    which the quote cannot see; the benchmark found the queue now a better stand-in than the parties
    behind alone, who are none for the party just joining)."""
    size = sizes[position]
    larger = [other for q, other in enumerate(sizes) if q != position and other > size]
    if not larger:
        return chosen
    # Which slots (single tables with spare seats) each larger party fits: slots x larger parties.
    fits = np.stack([_keepable_for(indices, tables, size, other, memo) for other in larger], axis=1)
    keepable = fits.any(axis=1)
    if not keepable.any():
        return chosen
    rows = np.arange(len(times))
    at = times[rows, chosen]
    needed = fits.sum(axis=1)[chosen]  # per run: the larger parties the chosen slot fits
    # Free then, with spare seats, needed by someone larger: the engine keeps none if they outnumber them.
    room = ((times <= at[:, None]) & keepable[None, :]).sum(axis=1)
    kept = keepable[chosen] & (needed > 0) & (room <= needed)
    if not kept.any():
        return chosen
    others = np.where(keepable[None, :], np.inf, times)
    alternative = others.argmin(axis=1)
    take = kept & (others[rows, alternative] <= at + within)
    return np.where(take, alternative, chosen)
