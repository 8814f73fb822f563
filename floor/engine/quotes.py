"""Learned wait quotes: how long a party will wait, from the restaurant's own history and the floor now.

The model (`TurnModel`) is learned from recent history: how long parties of each size stay at the
table in each day-part (closed visits), how long a dirty table takes to bus (state changes) and how
many waiting parties end up seated rather than leaving (waitlist outcomes). With little history each
distribution is blended with a prior, so a new restaurant gets sensible quotes from its first night.
`floor.selectors.quotes` reads that history; everything here is pure.

A quote is a small Monte Carlo simulation of the queue (`simulate_waits`): every table that could seat
a party frees up at a sampled time (an occupied table after the rest of its party's stay,
E[T - t | T > t] drawn from the empirical distribution given it has been seated t minutes, plus
bussing; a dirty table after the rest of its bussing), then the parties in the queue, in order, each
take the fitting table that frees first and hold it for a sampled stay. A party's quote is the median
of its simulated waits, the number that minimises the mean absolute error. The tables are the floor's
own (`floor.engine.floor.FloorTable`): a table held by an open party counts as occupied since that
party was seated, pushed-together tables included.

Over 400 lines on purpose: the learned distributions, the queue simulation that draws from them and the
ranges it quotes are calibrated together (bench/bench_routing_quality.py measures them as one), so they
are read and changed in one place.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

import numpy as np

from floor.engine.floor import AVAILABLE, DIRTY, OCCUPIED, FloorSnapshot, FloorTable, minutes_between
from floor.engine.outlook import table_mix_choice

MIN_SAMPLES = 40  # below this many visits a distribution leans on the coarser group or the prior
QUANTILES = 200
RUNS = 256
SEED = 20240601
OVERDUE_MINUTES = 5.0  # a party past every stay we have seen: expect them to leave soon
# The range a party is quoted: the middle 80% of the simulated waits, so 8 in 10 parties are seated
# inside it when the model is right (the routing benchmark measures the share).
QUOTE_RANGE_PERCENTILES = (10, 90)
RANGE_STEP = 5  # minutes
# The range is taken from the simulated waits each scaled by a lognormal error of this sigma: what the
# simulation cannot see (parties who join after this one and take a server's paced turn or the table
# the engine keeps, the host's own choices, busy servers turning tables slower than the history says)
# grows with the wait, so the range widens with it. 0.2 (a wait one run puts at 20 minutes reads 16.4
# to 24.4 at one sigma) was set on bench/bench_routing_quality.py: without it 76% of seated parties were
# inside their range at x2.0, with it about 9 in 10 at every level (docs/routing.md). The quote itself
# stays the median of the unscaled waits.
MODEL_SIGMA = 0.2

# Priors for a restaurant without history: median stay by party size (lognormal), bussing, staying.
PRIOR_MEDIAN_STAY = {1: 45.0, 2: 60.0, 3: 68.0, 4: 75.0, 5: 82.0, 6: 90.0, 7: 98.0, 8: 105.0}
PRIOR_SIGMA = 0.3
PRIOR_BUS_MEDIAN = 6.0
PRIOR_BUS_SIGMA = 0.4
PRIOR_STAY_SHARE = 0.8
PRIOR_STAY_WEIGHT = 20
SIZE_BUCKETS = ((1, 2), (3, 4), (5, 6), (7, 100))
WARM_SIZES = 12  # party sizes whose stays a cached model carries worked out (larger ones are rare)
# Waitlist outcomes, as floor.models.WaitlistStatus names them.
SEATED, CANCELLED, NO_SHOW = "seated", "cancelled", "no_show"


# --------------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------------


def _lognormal_quantiles(median: float, sigma: float, n: int = QUANTILES) -> np.ndarray:
    # Inverse normal CDF at evenly spaced levels, without scipy: a rational approximation is plenty here.
    levels = (np.arange(n) + 0.5) / n
    return median * np.exp(sigma * _norm_ppf(levels))


def _norm_ppf(p: np.ndarray) -> np.ndarray:
    # Acklam's approximation of the inverse standard normal CDF (relative error below 1.2e-9).
    a = [-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02]
    a += [-3.066479806614716e01, 2.506628277459239e00]
    b = [-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01]
    b += [-1.328068155288572e01]
    c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00]
    c += [4.374664141464968e00, 2.938163982698783e00]
    d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00]
    p = np.asarray(p, dtype=float)
    out = np.empty_like(p)
    low, high = p < 0.02425, p > 1 - 0.02425
    mid = ~(low | high)
    q = np.sqrt(-2 * np.log(p[low]))
    out[low] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
        (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
    )
    q = p[mid] - 0.5
    r = q * q
    out[mid] = (
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    )
    q = np.sqrt(-2 * np.log(1 - p[high]))
    out[high] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
        (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
    )
    return out


@dataclass(frozen=True)
class Distribution:
    """Minutes (a stay or a bussing), as evenly weighted quantile points; `samples` is how many
    observations it was learned from (0: prior only)."""

    points: np.ndarray
    samples: int = 0

    @classmethod
    def learned(cls, observations, prior: np.ndarray, *, min_samples: int = MIN_SAMPLES) -> Distribution:
        """The observations' distribution, blended with the prior while they are fewer than min_samples."""
        values = np.asarray(observations, dtype=float)
        n = len(values)
        if n >= min_samples:
            levels = (np.arange(QUANTILES) + 0.5) / QUANTILES
            return cls(points=np.quantile(values, levels), samples=n)
        prior_weight = (min_samples - n) / len(prior)
        all_values = np.concatenate([values, prior])
        weights = np.concatenate([np.ones(n), np.full(len(prior), prior_weight)])
        order = np.argsort(all_values, kind="stable")
        cumulative = np.cumsum(weights[order]) - weights[order] / 2
        levels = (np.arange(QUANTILES) + 0.5) / QUANTILES * weights.sum()
        return cls(points=np.interp(levels, cumulative, all_values[order]), samples=n)

    @property
    def mean(self) -> float:
        return float(self.points.mean())

    def expected_remaining(self, elapsed: float) -> float:
        """E[T - t | T > t]: minutes still to go for something that has lasted `elapsed` minutes."""
        tail = self.points[self.points > elapsed]
        return float(tail.mean() - elapsed) if len(tail) else OVERDUE_MINUTES

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.points[rng.integers(0, len(self.points), size=n)]

    def sample_remaining(self, rng: np.random.Generator, elapsed: float, n: int) -> np.ndarray:
        """Draws of T - t given T > t."""
        start = int(np.searchsorted(self.points, elapsed, side="right"))
        if start >= len(self.points):
            return rng.exponential(OVERDUE_MINUTES, size=n)
        return self.points[rng.integers(start, len(self.points), size=n)] - elapsed


def _bucket(size: int) -> tuple[int, int]:
    for low, high in SIZE_BUCKETS:
        if low <= size <= high:
            return (low, high)
    return SIZE_BUCKETS[-1]


def _prior_stay(size: int) -> np.ndarray:
    median = PRIOR_MEDIAN_STAY.get(size, PRIOR_MEDIAN_STAY[max(PRIOR_MEDIAN_STAY)])
    return _lognormal_quantiles(median, PRIOR_SIGMA)


@dataclass
class TurnModel:
    """What the restaurant's history says about stays, bussing and waiting parties."""

    stays: dict[tuple[str, int], list[float]] = field(default_factory=dict)  # (day-part, size) -> minutes
    bus: Distribution = field(
        default_factory=lambda: Distribution(_lognormal_quantiles(PRIOR_BUS_MEDIAN, PRIOR_BUS_SIGMA))
    )
    stay_share: float = PRIOR_STAY_SHARE
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_history(
        cls,
        *,
        stays: list[tuple[str, int, float]],
        bus_minutes: list[float] = (),
        waitlist_outcomes: dict[str, int] | None = None,
    ) -> TurnModel:
        """Learn from (day-part, party size, minutes at the table) of closed visits, bussing durations and
        counts of waitlist outcomes by status."""
        grouped: dict[tuple[str, int], list[float]] = {}
        for day_part, size, minutes in stays:
            if minutes > 0:
                grouped.setdefault((day_part, size), []).append(minutes)
        outcomes = waitlist_outcomes or {}
        seated = outcomes.get(SEATED, 0)
        ended = seated + outcomes.get(CANCELLED, 0) + outcomes.get(NO_SHOW, 0)
        share = (seated + PRIOR_STAY_SHARE * PRIOR_STAY_WEIGHT) / (ended + PRIOR_STAY_WEIGHT)
        bus_prior = _lognormal_quantiles(PRIOR_BUS_MEDIAN, PRIOR_BUS_SIGMA)
        return cls(
            stays=grouped,
            bus=Distribution.learned([m for m in bus_minutes if m >= 0], bus_prior),
            stay_share=share,
        )

    @property
    def visits_learned_from(self) -> int:
        return sum(len(v) for v in self.stays.values())

    def stay(self, day_part: str, size: int) -> Distribution:
        """The stay distribution for a party size in a day-part: the narrowest group with enough history
        ((day-part, size), (day-part, size bucket), (any day-part, size), (any, bucket)), blended with the
        prior when even the broadest is short."""
        key = (day_part, size)
        if key not in self._cache:
            bucket = _bucket(size)
            groups = [
                self.stays.get((day_part, size), []),
                [m for (part, s), ms in self.stays.items() if part == day_part and _bucket(s) == bucket for m in ms],
                [m for (_, s), ms in self.stays.items() if s == size for m in ms],
                [m for (_, s), ms in self.stays.items() if _bucket(s) == bucket for m in ms],
            ]
            chosen = next((g for g in groups if len(g) >= MIN_SAMPLES), max(groups, key=len))
            self._cache[key] = Distribution.learned(chosen, _prior_stay(size))
        return self._cache[key]

    def warmed(self, day_parts, sizes=range(1, WARM_SIZES + 1)) -> TurnModel:
        """Work out the stay distributions of these day-parts and party sizes now, so that a copy kept
        in a cache carries them (each request would otherwise learn them again). Returns the model."""
        for day_part in day_parts:
            for size in sizes:
                self.stay(day_part, size)
        return self


# --------------------------------------------------------------------------------------------------
# The queue simulation
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuedParty:
    """A party in the queue, first come first."""

    key: object
    party_size: int
    accessible: bool = False


def _slots_for(party: QueuedParty, tables: list[FloorTable]) -> list[tuple[int, ...]]:
    """Indices of the tables (or tables pushed together) that could seat the party, smallest first."""
    usable = [i for i, t in enumerate(tables) if t.accessible or not party.accessible]
    singles = [(i,) for i in usable if tables[i].fits(party.party_size)]
    if singles:
        return sorted(singles, key=lambda slot: (tables[slot[0]].max_seats, tables[slot[0]].id))
    groups: dict[tuple[str, int], list[int]] = {}
    for i in usable:
        table = tables[i]
        if table.combinable_group:
            groups.setdefault((table.combinable_group, table.section_id), []).append(i)
    slots = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda i: (-tables[i].max_seats, tables[i].id))
        chosen, seats = [], 0
        for i in members:  # largest first: the fewest tables that seat the party
            chosen.append(i)
            seats += tables[i].max_seats
            if seats >= party.party_size:
                slots.append(tuple(sorted(chosen)))
                break
    return sorted(slots, key=lambda slot: sum(tables[i].max_seats for i in slot))


def simulate_waits(
    *,
    tables: list[FloorTable],
    queue: list[QueuedParty],
    model: TurnModel,
    day_part: str,
    runs: int = RUNS,
    seed: int = SEED,
    pacing: dict[int, tuple[float, float]] | None = None,
    table_mix: float = 0.0,
) -> dict[object, np.ndarray | None]:
    """Simulated minutes from now until each queued party is seated (one value per run), or None for a
    party no table or combination here could ever seat. Deterministic for its inputs.

    `pacing` (section id -> (minutes between two seatings there, minutes from now until the next may
    happen)) spaces the seatings of each section as the routing engine's pacing does (no double seats).
    `table_mix` (the restaurant's `table_mix_minutes`) seats each party as the engine's table mix does
    (`floor.engine.outlook.table_mix_choice`): a table with spare seats that a larger waiting party needs
    goes to this party only when no table that fits it better frees within that many minutes."""
    rng = np.random.default_rng(seed)
    sections = sorted({t.section_id for t in tables})
    section_of = np.array([sections.index(t.section_id) for t in tables], dtype=np.intp)
    spacing = np.array([(pacing or {}).get(section, (0.0, 0.0))[0] for section in sections])
    ready = np.tile(np.array([(pacing or {}).get(section, (0.0, 0.0))[1] for section in sections]), (runs, 1))
    # The seatings booked in each section so far, per run: the first and the last. A party whose table
    # frees before the first booked seating, a whole interval before it, is seated then (the queue is not
    # seated in its order: a couple behind a large party often sits first); otherwise after the last.
    first_booked = np.full((runs, len(sections)), np.inf)
    last_booked = np.full((runs, len(sections)), -np.inf)
    free = np.zeros((runs, len(tables)))
    for i, table in enumerate(tables):
        if table.party is not None or table.state == OCCUPIED:
            # Occupied with no party on record (seated before this system knew): assume it is full.
            size = table.party.size if table.party is not None else table.max_seats
            seated_for = table.minutes_seated if table.party is not None else table.minutes_in_state
            stay = model.stay(day_part, size)
            free[:, i] = stay.sample_remaining(rng, seated_for or 0.0, runs) + model.bus.sample(rng, runs)
        elif table.state == DIRTY:
            free[:, i] = model.bus.sample_remaining(rng, table.minutes_in_state, runs)
    stays = rng.random((runs, len(queue))) < model.stay_share
    waits: dict[object, np.ndarray | None] = {}
    rows = np.arange(runs)
    # The slots depend only on the party's size and need, not on the queue: each kind is worked out once,
    # as a (slots x tables) index array, shorter slots padded with their own first table (max unchanged).
    slot_indices: dict[tuple[int, bool], np.ndarray | None] = {}
    memo: dict = {}  # the table mix's: which slots of a kind a larger size fits
    for position, party in enumerate(queue):
        kind = (party.party_size, party.accessible)
        if kind not in slot_indices:
            slots = _slots_for(party, tables)
            width = max((len(slot) for slot in slots), default=0)
            slot_indices[kind] = (
                np.array([slot + (slot[0],) * (width - len(slot)) for slot in slots], dtype=np.intp) if slots else None
            )
        indices = slot_indices[kind]
        if indices is None:
            waits[party.key] = None
            continue
        times = free[:, indices].max(axis=2)  # runs x slots: when each slot is wholly free
        if pacing:
            section = section_of[indices[:, 0]]
            gap = spacing[section]
            before = (times >= ready[:, section]) & (times + gap <= first_booked[:, section])
            after = np.maximum(np.maximum(times, ready[:, section]), last_booked[:, section] + gap)
            # The engine holds a party whole minutes (floor.engine.routing.hold_minutes) from when its
            # table frees, and the host seats it when the hold is up.
            times = np.where(before, times, times + np.ceil(after - times - 1e-9))
        chosen = times.argmin(axis=1)  # ties go to the first, smallest slot
        if table_mix > 0:
            chosen = table_mix_choice(
                times, chosen, indices, tables, [p.party_size for p in queue], position, table_mix, memo
            )
        seated_at = times[rows, chosen]
        waits[party.key] = seated_at
        if pacing:
            # Every party ahead takes a server's paced turn, even in the runs where it leaves the list: the
            # guests who join meanwhile take the turns of those who leave, and the quote cannot see them
            # (the benchmark's quote error at x1.6 rose from 5.8 to 6.0 minutes without them).
            seated_in = section_of[indices[chosen, 0]]
            first_booked[rows, seated_in] = np.minimum(first_booked[rows, seated_in], seated_at)
            last_booked[rows, seated_in] = np.maximum(last_booked[rows, seated_in], seated_at)
        stay = stays[:, position]  # the runs where the party stays for its table (the others leave)
        held_until = seated_at + model.stay(day_part, party.party_size).sample(rng, runs) + model.bus.sample(rng, runs)
        free[rows[stay, None], indices[chosen[stay]]] = held_until[stay, None]
    return waits


def quote_minutes(waits: np.ndarray | None) -> int | None:
    """The quote from simulated waits: their median, whole minutes."""
    if waits is None:
        return None
    return int(round(float(np.median(waits))))


@dataclass(frozen=True)
class EntryQuote:
    """A waiting party's live quote: minutes from now, and the range quoted (the middle 80% of the
    simulated waits, `QUOTE_RANGE_PERCENTILES`)."""

    minutes: int | None
    low: int | None = None
    high: int | None = None


def entry_quotes(waits: dict[object, np.ndarray | None]) -> dict[object, EntryQuote]:
    """Each party's quote (median) and range (`QUOTE_RANGE_PERCENTILES`) from its simulated waits."""
    quoted = [key for key, value in waits.items() if value is not None]
    quotes = {key: EntryQuote(minutes=None) for key, value in waits.items() if value is None}
    if quoted:
        # All parties at once, row by row: the same medians and quartiles as one party at a time.
        runs = np.stack([waits[key] for key in quoted])
        medians = np.median(runs, axis=1)
        error = np.exp(MODEL_SIGMA * np.random.default_rng(SEED).standard_normal(runs.shape[1]))
        lows, highs = np.percentile(runs * error, QUOTE_RANGE_PERCENTILES, axis=1)
        for key, median, low, high in zip(quoted, medians, lows, highs, strict=True):
            # Said as a host says it, "10 to 20 minutes": the range widened to whole steps of RANGE_STEP.
            low = int(RANGE_STEP * math.floor(low / RANGE_STEP))
            high = int(RANGE_STEP * math.ceil(max(high, median) / RANGE_STEP))
            quotes[key] = EntryQuote(minutes=int(round(float(median))), low=low, high=max(high, low + RANGE_STEP))
    return {key: quotes[key] for key in waits}


def table_free_minutes(tables: list[FloorTable], model: TurnModel, day_part: str) -> dict[int, float]:
    """Expected minutes until each occupied or dirty table is free again: the rest of its party's stay
    (E[T - t | T > t]) plus bussing, or the rest of its bussing. The routing engine's table mix reads it."""
    out = {}
    for table in tables:
        if table.party is not None or table.state == OCCUPIED:
            size = table.party.size if table.party is not None else table.max_seats
            seated_for = (table.minutes_seated if table.party is not None else table.minutes_in_state) or 0.0
            out[table.id] = model.stay(day_part, size).expected_remaining(seated_for) + model.bus.mean
        elif table.state == DIRTY:
            out[table.id] = model.bus.expected_remaining(table.minutes_in_state)
    return out


# The states of a table a waiting party can hope for (reserved and blocked tables are left out).
QUOTE_STATES = (AVAILABLE, OCCUPIED, DIRTY)


def quote_tables(snapshot: FloorSnapshot) -> tuple[list[FloorTable], list[FloorTable]]:
    """The tables waiting parties can hope for: those in sections a server on the floor can take parties
    in, and all of them. With nobody on the floor yet, or someone covering every section, both are the
    whole floor."""
    tables = [t for t in snapshot.tables if t.state in QUOTE_STATES or t.party is not None]
    takers = [server.section_id for server in snapshot.servers if server.can_take_tables]
    if not takers or None in takers:
        return tables, tables
    staffed = set(takers)
    return [t for t in tables if t.section_id in staffed], tables


def section_pacing(snapshot: FloorSnapshot) -> dict[int, tuple[float, float]] | None:
    """How the routing engine's pacing spaces each section's seatings, for `simulate_waits`: the interval
    shared among the servers working it, and when the first of them may be seated again. None without
    pacing (or with a server who covers every section: no section is held back)."""
    interval = snapshot.config.pacing_minutes
    takers = [s for s in snapshot.servers if s.can_take_tables]
    if interval <= 0 or not takers or any(s.section_id is None for s in takers):
        return None
    window = snapshot.config.double_seat_minutes
    by_section: dict[int, list[float]] = {}
    for server in takers:
        since = minutes_between(server.last_seated_at, snapshot.now) if server.last_seated_at else window
        by_section.setdefault(server.section_id, []).append(max(window - since, 0.0))
    return {section: (window / len(left), min(left)) for section, left in by_section.items()}


def queue_quotes(
    snapshot: FloorSnapshot, queue: list[QueuedParty], *, model: TurnModel, day_part: str
) -> dict[object, EntryQuote]:
    """Live quotes for every party of the queue, in order, on this floor. A party that fits only tables in
    sections nobody works now is quoted as if those sections opened."""
    staffed, everything = quote_tables(snapshot)
    pacing = section_pacing(snapshot)
    mix = snapshot.config.table_mix_minutes
    waits = simulate_waits(tables=staffed, queue=queue, model=model, day_part=day_part, pacing=pacing, table_mix=mix)
    if any(value is None for value in waits.values()) and len(everything) > len(staffed):
        fallback = simulate_waits(
            tables=everything, queue=queue, model=model, day_part=day_part, pacing=pacing, table_mix=mix
        )
        waits = {key: value if value is not None else fallback[key] for key, value in waits.items()}
    return entry_quotes(waits)


def _parse_hhmm(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def day_part_of(day_parts, timezone: str, at: datetime) -> str:
    """The day-part at an instant, in the restaurant's local time (`day_parts` as the restaurant stores
    them: [{"key", "start": "HH:MM", "end"}]): the one in progress, else the last one that started
    before (the tail after lunch still counts as lunch), else the first."""
    parts = sorted(
        ((_parse_hhmm(p["start"]), _parse_hhmm(p["end"]), p["key"]) for p in day_parts or []),
        key=lambda part: part[0],
    )
    if not parts:
        return "all"
    local = at.astimezone(ZoneInfo(timezone)).time()
    starts = [start for start, _, _ in parts]
    index = bisect.bisect_right(starts, local) - 1
    return parts[max(index, 0)][2]
