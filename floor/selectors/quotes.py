"""Live wait quotes from the floor now and the restaurant's own history (the engine: `floor.engine.quotes`).

`load_turn_model` reads the history the model learns from; `waitlist_open_with_quotes` quotes every open
entry on the one read of the floor (`floor_snapshot`), and `quote_new_party` the party about to join.

The live quotes of the open waitlist are kept for the rest of the minute (`QUOTE_CACHE_SECONDS`, in the
shared cache), keyed by the floor they were worked out on: the floor's every refresh asked the queue
simulation again, most of `GET .../floor`. The key is the floor itself as the quotes read it (tables,
their parties, the servers on the floor, the routing settings, the queue, the day-part) with the
clock's ticking minutes left out, plus the minute: any change of the floor, whichever path made it
(a service, the setup API, the admin, a bulk update), makes a new key, and the same floor in the same
minute is quoted the same on every refresh and every process. A quote is at most a minute old."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from floor.engine.floor import FloorSnapshot, needs_accessible, whole_minutes
from floor.engine.quotes import EntryQuote, QueuedParty, TurnModel, day_part_of, queue_quotes
from floor.models import WAITLIST_OPEN, TableState, TableStateChange, Visit, WaitlistEntry
from floor.selectors.floor import floor_snapshot, open_queue

HISTORY_WEEKS = 6
BUS_HISTORY_DAYS = 14
MAX_HISTORY_VISITS = 20000
MAX_BUS_CHANGES = 6000
MODEL_CACHE_SECONDS = 900
# Part of the cache key: a model pickled by another version of the code (its classes moved or changed)
# is never read back, so a deploy cannot meet an unreadable cached model.
MODEL_CACHE_VERSION = 2
QUOTE_CACHE_SECONDS = 120  # keyed by the minute: kept past it only so that a slow clock still finds it
QUOTE_CACHE_VERSION = 1  # as MODEL_CACHE_VERSION: a deploy that changes EntryQuote changes this


def day_part(restaurant, at: datetime) -> str:
    """The restaurant's day-part at an instant (see `floor.engine.quotes.day_part_of`)."""
    return day_part_of(restaurant.day_parts, restaurant.timezone, at)


# The model this process last used for each restaurant, with its cache key: the floor's every refresh
# quotes with it, and reading it back from the shared cache each time cost a round trip and an unpickling
# per request. Keyed like the shared cache, so it turns over with it every quarter of an hour.
_held_models: dict[int, tuple[str, TurnModel]] = {}


def turn_models_forget() -> None:
    """Drop the models this process holds (with `cache.clear()`, between tests)."""
    _held_models.clear()


def load_turn_model(*, restaurant, now: datetime | None = None, use_cache: bool = True) -> TurnModel:
    """The restaurant's TurnModel from its last weeks of history, three queries when not cached (closed
    visits, bussing state changes, waitlist outcomes). Cached a quarter of an hour (history moves slowly),
    with the stay distributions of its day-parts already worked out: in the shared cache, and held by each
    process once read."""
    now = now or timezone.now()
    key = f"floor:turn-model:v{MODEL_CACHE_VERSION}:{restaurant.pk}:{now:%Y%m%d%H}:{now.minute // 15}"
    if use_cache:
        held_key, model = _held_models.get(restaurant.pk, (None, None))
        if held_key == key:
            return model
        model = cache.get(key)
        if model is not None:
            _held_models[restaurant.pk] = (key, model)
            return model
    since = now - timedelta(weeks=HISTORY_WEEKS)
    visits = (
        Visit.objects.for_restaurant(restaurant)
        .filter(closed_at__isnull=False, seated_at__gte=since, seated_at__lt=now)
        .order_by("-seated_at")
        .values_list("party_size", "seated_at", "closed_at")[:MAX_HISTORY_VISITS]
    )
    stays = [
        (day_part(restaurant, seated), size, (closed - seated).total_seconds() / 60) for size, seated, closed in visits
    ]
    changes = (
        TableStateChange.objects.for_restaurant(restaurant)
        .filter(at__gte=now - timedelta(days=BUS_HISTORY_DAYS), at__lt=now)
        .filter(to_state__in=[TableState.DIRTY, TableState.AVAILABLE])
        .order_by("-at")
        .values_list("table_id", "from_state", "to_state", "at")[:MAX_BUS_CHANGES]
    )
    dirty_since: dict[int, datetime] = {}
    bus_minutes = []
    for table_id, from_state, to_state, at in sorted(changes, key=lambda change: change[3]):
        if to_state == TableState.DIRTY:
            dirty_since[table_id] = at
        elif from_state == TableState.DIRTY and table_id in dirty_since:
            bus_minutes.append((at - dirty_since.pop(table_id)).total_seconds() / 60)
    outcomes = dict(
        WaitlistEntry.objects.for_restaurant(restaurant)
        .filter(added_at__gte=since, added_at__lt=now)
        .exclude(status__in=WAITLIST_OPEN)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    model = TurnModel.from_history(stays=stays, bus_minutes=bus_minutes, waitlist_outcomes=outcomes)
    if use_cache:
        parts = [part["key"] for part in restaurant.day_parts or []] or ["all"]
        cache.set(key, model.warmed(parts), MODEL_CACHE_SECONDS)
        _held_models[restaurant.pk] = (key, model)
    return model


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


def _queued(entry: WaitlistEntry) -> QueuedParty:
    return QueuedParty(key=entry.pk, party_size=entry.party_size, accessible=needs_accessible(entry.preferences))


def quoted_entry(entry: WaitlistEntry, *, position: int, quote: EntryQuote, now: datetime) -> QuotedEntry:
    return QuotedEntry(
        entry=entry,
        position=position,
        minutes_waiting=whole_minutes(entry.added_at, now),
        quoted_wait_minutes=entry.quoted_wait_minutes,
        live_wait_minutes=quote.minutes,
        live_wait_low=quote.low,
        live_wait_high=quote.high,
    )


def waitlist_open_with_quotes(
    *,
    restaurant,
    now: datetime | None = None,
    entries: list[WaitlistEntry] | None = None,
    snapshot: FloorSnapshot | None = None,
) -> list[QuotedEntry]:
    """Open waitlist entries, first come first, with positions and live learned quotes. A fixed number of
    queries: seven with a cold quote-model cache, four warm (the queue, tables, shifts, visits); three
    fewer when the caller passes the open entries (oldest first) and the floor read at the same `now`."""
    now = now or timezone.now()
    if entries is None:
        entries = open_queue(restaurant=restaurant)
    if not entries:
        return []
    snapshot = snapshot or floor_snapshot(restaurant=restaurant, now=now, sections=False)
    queue = [_queued(e) for e in entries]
    part = day_part(restaurant, now)
    key = _quotes_key(restaurant, now, snapshot, queue, part)
    quotes = cache.get(key)
    if quotes is None:
        model = load_turn_model(restaurant=restaurant, now=now)
        quotes = queue_quotes(snapshot, queue, model=model, day_part=part)
        cache.set(key, quotes, QUOTE_CACHE_SECONDS)
    return [
        quoted_entry(entry, position=position, quote=quotes[entry.pk], now=now)
        for position, entry in enumerate(entries, start=1)
    ]


def _quotes_key(restaurant, now: datetime, snapshot: FloorSnapshot, queue: list[QueuedParty], part: str) -> str:
    """The cache key of the queue's quotes: the restaurant, the minute, and a digest of everything the
    simulation reads of this floor but the clock (the minutes tables and servers have been in their
    state tick with it; the instants they count from stay in). The turn model is the minute's (it turns
    over on quarter-hours)."""
    timeless = (
        snapshot.mode,
        snapshot.config,
        [{**vars(table), "minutes_in_state": None, "minutes_seated": None} for table in snapshot.tables],
        [{**vars(server), "minutes_since_last_seated": None} for server in snapshot.servers],
        queue,
        part,
    )
    # Pickled rather than repr'd: eight times faster, and a floor read the same way pickles the same.
    digest = hashlib.blake2b(pickle.dumps(timeless, protocol=5), digest_size=16).hexdigest()
    minute = int(now.timestamp() // 60)
    return f"floor:quotes:v{QUOTE_CACHE_VERSION}:{restaurant.pk}:{minute}:{digest}"


NEW_PARTY = "new"


@dataclass(frozen=True)
class NewPartyQuote:
    """What a party joining the waitlist now would be told: its place (last) and its live quote."""

    position: int
    quote: EntryQuote

    @property
    def minutes(self) -> int | None:
        return self.quote.minutes


def quote_new_party(
    *, restaurant, party_size: int, preferences: dict | None = None, now: datetime | None = None
) -> NewPartyQuote:
    """The wait of a party joining the waitlist now, behind everyone already on it (minutes None when no
    table or combination of tables here could ever seat them). Once the party is added at the end of the
    queue, its live quote on the same floor is this one. Same queries as `waitlist_open_with_quotes`."""
    now = now or timezone.now()
    entries = open_queue(restaurant=restaurant)
    model = load_turn_model(restaurant=restaurant, now=now)
    snapshot = floor_snapshot(restaurant=restaurant, now=now, sections=False)
    queue = [_queued(entry) for entry in entries]
    queue.append(QueuedParty(key=NEW_PARTY, party_size=party_size, accessible=needs_accessible(preferences)))
    quotes = queue_quotes(snapshot, queue, model=model, day_part=day_part(restaurant, now))
    return NewPartyQuote(position=len(queue), quote=quotes[NEW_PARTY])
