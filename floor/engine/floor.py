"""The floor as the engine sees it, at one instant: one table, one server, one snapshot.

The board (`GET .../floor` and the dashboard), the routing engine and the quote simulation all read
these same objects, loaded once by `floor.selectors.floor_snapshot`; nothing else describes a table or
a server on the floor. The input rules every entry point shares live here too: the party-size bounds,
a party's preferences, and the instant a server's shift starts counting from.

No Django: the state, mode and tier names below are the values of `floor.models.TableState`,
`restaurant.models.RoutingMode` and `staff.models.Tier`, held equal by a test
(floor/tests/test_engine.py) because the engine may not import the models."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

AVAILABLE, OCCUPIED, DIRTY, RESERVED, BLOCKED = "available", "occupied", "dirty", "reserved", "blocked"
ROTATION, BALANCED, PERFORMANCE = "rotation", "balanced", "performance"
STRONG, STANDARD, DEVELOPING = "strong", "standard", "developing"

# What a party may wish for; "accessible" is a need, not a wish (`Preferences.accessible`).
WISHES = ("booth", "patio", "high_top")
ACCESSIBLE = "accessible"
PREFERENCE_KEYS = ("section_id", "feature", "accessible")

# Party sizes every entry point accepts (API serializers, routing, seating, the waitlist).
MIN_PARTY_SIZE = 1
MAX_PARTY_SIZE = 100

# Covers a server seated more than this long ago no longer count towards "this shift" (a shift left
# open overnight must not weigh on tonight's rotation, nor on the board's covers).
SHIFT_LOOKBACK = timedelta(hours=18)


class InvalidValue(ValueError):
    """An input the engine's rules refuse; `field` names it. Services turn it into the domain's 400."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --------------------------------------------------------------------------------------------------
# Input rules
# --------------------------------------------------------------------------------------------------


def check_party_size(party_size) -> int:
    """A party size every entry point accepts: a whole number from MIN_PARTY_SIZE to MAX_PARTY_SIZE."""
    if isinstance(party_size, bool) or not isinstance(party_size, int) or party_size < MIN_PARTY_SIZE:
        raise InvalidValue("party_size", "party_size must be a whole number of guests, at least 1")
    if party_size > MAX_PARTY_SIZE:
        raise InvalidValue("party_size", f"party_size must be at most {MAX_PARTY_SIZE}")
    return party_size


@dataclass(frozen=True)
class Preferences:
    """What a party asked for: a section and a feature are wishes, `accessible` is a must."""

    section_id: int | None = None
    feature: str | None = None
    accessible: bool = False

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, False)}


def parse_preferences(raw) -> Preferences:
    """Validate a party's preferences: {"section_id": int, "feature": "booth"|"patio"|"high_top",
    "accessible": bool}, every key optional; "feature": "accessible" means accessible. InvalidValue names
    the offending field."""
    if raw in (None, ""):
        return Preferences()
    if isinstance(raw, Preferences):
        return raw
    if not isinstance(raw, dict):
        raise InvalidValue("preferences", "preferences must be an object")
    unknown = sorted(set(raw) - set(PREFERENCE_KEYS))
    if unknown:
        raise InvalidValue("preferences", f"unknown preferences {', '.join(unknown)}; use {', '.join(PREFERENCE_KEYS)}")
    section_id = raw.get("section_id")
    if section_id is not None and (isinstance(section_id, bool) or not isinstance(section_id, int)):
        raise InvalidValue("preferences.section_id", "section_id must be a section's id (an integer)")
    feature = raw.get("feature")
    accessible = raw.get("accessible", False)
    if not isinstance(accessible, bool):
        raise InvalidValue("preferences.accessible", "accessible must be true or false")
    if feature in ("", None):
        feature = None
    elif feature == ACCESSIBLE:  # some clients send the need as a feature: it is still a must
        feature, accessible = None, True
    elif not isinstance(feature, str) or feature.replace("-", "_") not in WISHES:
        raise InvalidValue("preferences.feature", f"feature must be one of {', '.join(WISHES)} (or accessible)")
    else:
        feature = feature.replace("-", "_")
    return Preferences(section_id=section_id, feature=feature, accessible=accessible)


def needs_accessible(preferences) -> bool:
    """Whether stored preferences (a dict as saved on a waitlist entry) make accessibility a must."""
    prefs = preferences or {}
    return bool(prefs.get(ACCESSIBLE)) or prefs.get("feature") == ACCESSIBLE


def shift_counts_from(clock_in: datetime, now: datetime) -> datetime:
    """The instant a server's shift counts from: their clock-in, looking back at most SHIFT_LOOKBACK."""
    return max(clock_in, now - SHIFT_LOOKBACK)


def window_start(clock_ins, now: datetime) -> datetime:
    """The earliest instant any of these shifts counts from (`now` when nobody is clocked in): the visits
    seated since then are all the floor needs besides the open ones."""
    return min((shift_counts_from(clock_in, now) for clock_in in clock_ins), default=now)


def whole_minutes(since: datetime | None, now: datetime) -> int | None:
    """Whole minutes from `since` to `now`, never negative; None without a `since`."""
    if since is None:
        return None
    return max(0, int((now - since).total_seconds() // 60))


def minutes_between(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 60, 0.0)


# --------------------------------------------------------------------------------------------------
# The floor
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """An open visit: the party at a table, its server, and every table it holds (its own table first,
    then those pushed together with it, by id)."""

    visit_id: int
    size: int
    seated_at: datetime
    table_ids: tuple[int, ...]
    server_id: int | None = None
    server_name: str | None = None
    server_initials: str | None = None


def parties_by_table(parties) -> dict[int, Party]:
    """Which open party holds each table: the one occupancy rule of open visits (tables pushed together
    included), in memory. Its database twin is `floor.models.VisitQuerySet.holding`."""
    return {table_id: party for party in parties for table_id in party.table_ids}


def _of_party(name: str) -> property:
    """A table's view of one attribute of the party holding it: None while the table is free."""
    return property(lambda table: getattr(table.party, name) if table.party else None)


@dataclass(frozen=True)
class FloorTable:
    """A table on the floor now: its seats, state and features for routing and quotes, the party holding
    it (if any), and where the map draws it."""

    id: int
    label: str
    section_id: int
    min_seats: int
    max_seats: int
    state: str = AVAILABLE
    features: tuple[str, ...] = ()  # as `floor.models.Table.features` lists them, "accessible" included
    combinable_group: str = ""
    minutes_in_state: float = 0.0
    state_changed_at: datetime | None = None
    party: Party | None = None
    minutes_seated: float | None = None  # the party's, when there is one
    server_ids: tuple[int, ...] = ()  # who may take a party here now, next first (set on the board)
    section_name: str = ""
    x: float = 0.0
    y: float = 0.0
    width: float = 60.0
    height: float = 60.0
    shape: str = "rect"
    rotation: float = 0.0

    @property
    def accessible(self) -> bool:
        return ACCESSIBLE in self.features

    @property
    def is_free(self) -> bool:
        """Available, and no open party holds it (its own table or pushed together)."""
        return self.state == AVAILABLE and self.party is None

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats

    # What the board shows of the party holding the table (None while it is free).
    visit_id, party_size, seated_at, server_id, server_name, server_initials = (
        _of_party(name) for name in ("visit_id", "size", "seated_at", "server_id", "server_name", "server_initials")
    )

    @property
    def joined_with(self) -> tuple[int, ...]:
        """The other tables pushed together with this one for its party."""
        if self.party is None:
            return ()
        return tuple(sorted(pk for pk in self.party.table_ids if pk != self.id))


@dataclass(frozen=True)
class FloorServer:
    """Someone clocked in now, with what the rotation and the board need to know about their shift.
    Hosts, bussers and runners are here too, with `takes_tables` False (their role takes no tables)."""

    staff_id: int
    name: str
    shift_id: int
    clock_in: datetime
    section_id: int | None = None  # None: clocked in without a section, covers every section
    role: str = "server"
    takes_tables: bool = True
    tier: str = STANDARD
    on_break: bool = False
    cut: bool = False
    skip_next: bool = False
    rotation_offset: int = 0
    last_seated_at: datetime | None = None
    covers_now: int = 0
    tables_now: int = 0  # open parties
    covers_shift: int = 0
    parties_shift: int = 0
    open_table_ids: tuple[int, ...] = ()  # every table of their open parties, pushed together included
    initials: str = ""
    section_name: str | None = None
    minutes_since_last_seated: int | None = None
    rotation_position: int | None = None  # 1 = next to get a party; set on the board (None: break, cut)

    @property
    def can_take_tables(self) -> bool:
        return self.takes_tables and not self.on_break and not self.cut


def server_on_floor(
    *,
    staff_id: int,
    name: str,
    shift_id: int,
    clock_in: datetime,
    now: datetime,
    visits=(),
    parties=(),
    **fields,
) -> FloorServer:
    """A server with their figures worked out: `visits` are (size, seated_at) of the parties they were
    given, `parties` their open ones. A party counts towards the shift from `shift_counts_from`; the load
    now is the open parties, however old."""
    since = shift_counts_from(clock_in, now)
    this_shift = [(size, seated) for size, seated in visits if seated >= since]
    last = max((seated for _, seated in this_shift), default=None)
    return FloorServer(
        staff_id=staff_id,
        name=name,
        shift_id=shift_id,
        clock_in=clock_in,
        last_seated_at=last,
        minutes_since_last_seated=whole_minutes(last, now),
        covers_now=sum(party.size for party in parties),
        tables_now=len(parties),
        covers_shift=sum(size for size, _ in this_shift),
        parties_shift=len(this_shift),
        open_table_ids=tuple(pk for party in parties for pk in party.table_ids),
        **fields,
    )


TURNS, COVERS = "turns", "covers"
ROTATION_BASES = (TURNS, COVERS)
# Tables a server carries at once by tier: the common rule of thumb (docs/routing.md).
DEFAULT_TABLES_BY_TIER = ((STRONG, 5), (STANDARD, 4), (DEVELOPING, 3))


@dataclass(frozen=True)
class RoutingConfig:
    """The restaurant's routing settings, typed (defaults: `restaurant.models.default_routing_settings`).

    `pacing_minutes`: a server gets a new party at most every this many minutes; sooner is a double seat,
    and the engine may hold the party (at most `hold_minutes_max`) rather than double-seat (0: no pacing).
    `rotation_basis`: rotation counts turns (seated longest ago goes next) or covers per hour on the floor.
    `table_mix_minutes`: a table is kept for a larger waiting party when a better-fitting table for this
    party frees within this many minutes (0: never kept).
    `tables_by_tier`: the open tables a server of each tier carries without slowing down; each table past
    it costs `overload_penalty` points (0: load not weighed).
    `borrow_tables`: a server may take a table of another staffed section when that beats its own
    servers' best option by more than `borrow_penalty` points (the host lends the table)."""

    double_seat_window_minutes: float = 5
    double_seat_penalty: float = 30.0
    performance_covers_gap_cap: int = 8
    large_party_size: int = 6
    pacing_minutes: float = 0.0
    hold_minutes_max: float = 5.0
    rotation_basis: str = TURNS
    table_mix_minutes: float = 0.0
    tables_by_tier: tuple[tuple[str, int], ...] = DEFAULT_TABLES_BY_TIER
    overload_penalty: float = 0.0
    borrow_tables: bool = False
    borrow_penalty: float = 20.0

    @classmethod
    def from_settings(cls, settings: dict) -> RoutingConfig:
        return cls(
            double_seat_window_minutes=float(settings.get("double_seat_window_minutes", 5)),
            double_seat_penalty=float(settings.get("double_seat_penalty", 30.0)),
            performance_covers_gap_cap=int(settings.get("performance_covers_gap_cap", 8)),
            large_party_size=int(settings.get("large_party_size", 6)),
            pacing_minutes=float(settings.get("pacing_minutes", 0.0)),
            hold_minutes_max=float(settings.get("hold_minutes_max", 5.0)),
            rotation_basis=str(settings.get("rotation_basis", TURNS)),
            table_mix_minutes=float(settings.get("table_mix_minutes", 0.0)),
            tables_by_tier=tuple(
                (tier, int(settings.get("tables_by_tier", {}).get(tier, default)))
                for tier, default in DEFAULT_TABLES_BY_TIER
            ),
            overload_penalty=float(settings.get("overload_penalty", 0.0)),
            borrow_tables=bool(settings.get("borrow_tables", False)),
            borrow_penalty=float(settings.get("borrow_penalty", 20.0)),
        )

    def table_capacity(self, tier: str) -> int:
        """Open tables a server of this tier carries before each more one slows their service."""
        return dict(self.tables_by_tier).get(tier, dict(DEFAULT_TABLES_BY_TIER)[STANDARD])

    @property
    def double_seat_minutes(self) -> float:
        """Seated again sooner than this is a double seat: the window, or the pacing interval if longer."""
        return max(self.double_seat_window_minutes, self.pacing_minutes)


@dataclass(frozen=True)
class FloorSnapshot:
    """Everything the engine decides from, and the board shows, at one instant."""

    now: datetime
    mode: str
    config: RoutingConfig
    tables: tuple[FloorTable, ...]
    servers: tuple[FloorServer, ...]
    section_names: dict[int, str] = field(default_factory=dict)
    timezone: str = "UTC"  # the restaurant's, for the clock times a host reads ("seat at 19:42")
