"""What the simulator produces: plain dataclasses with integer indices for cross references.

Every datetime is timezone-aware UTC; the loader turns indices into database rows. Records are
compared field by field, which is how the determinism tests check that one seed gives one history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal


@dataclass(frozen=True)
class SectionRecord:
    """A section of the floor and its rectangle on the map (x, y, width, height)."""

    index: int
    name: str
    color: str
    sort_order: int
    region: tuple[float, float, float, float]
    served_by: str


@dataclass(frozen=True)
class TableRecord:
    """A table with its seats, features and floor-map geometry (x, y is the top-left corner)."""

    index: int
    label: str
    section: int
    min_seats: int
    max_seats: int
    is_booth: bool
    is_patio: bool
    is_high_top: bool
    is_accessible: bool
    x: float
    y: float
    width: float
    height: float
    shape: str
    rotation: float
    combinable_group: str

    @property
    def features(self) -> frozenset[str]:
        flags = {
            "booth": self.is_booth,
            "patio": self.is_patio,
            "high_top": self.is_high_top,
            "accessible": self.is_accessible,
        }
        return frozenset(name for name, on in flags.items() if on)


@dataclass(frozen=True)
class StaffRecord:
    """A staff member; `skill` (0-1) drives check size, tip %, turn time and upselling."""

    index: int
    name: str
    role: str
    skill: float
    hourly_rate: Decimal
    email: str
    phone: str
    hired_on: date


@dataclass(frozen=True)
class AvailabilityRecord:
    """A recurring weekly window (weekday 0 = Monday) a staff member can, or cannot, work."""

    staff: int
    weekday: int
    start: time
    end: time
    available: bool = True
    effective_from: date | None = None
    effective_until: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class TimeOffRecord:
    """Days a staff member asked off, and what the manager decided."""

    staff: int
    start_date: date
    end_date: date
    reason: str
    status: str  # requested, approved, denied


@dataclass(frozen=True)
class PreferenceRecord:
    """What a staff member would like to work: roles, day-parts, sections (indices) and hours."""

    staff: int
    roles: tuple[str, ...]
    day_parts: tuple[str, ...]
    sections: tuple[int, ...]
    min_hours: int
    max_hours: int
    max_shifts: int


@dataclass(frozen=True)
class RequirementRecord:
    """How many of a role a weekday's day-part needs."""

    weekday: int
    day_part: str
    role: str
    min_staff: int
    target_staff: int
    max_staff: int


@dataclass(frozen=True)
class Party:
    """A walk-in party as it arrives. Its own seed fixes its check, tip and bussing, so replaying the
    same arrivals through another seating policy changes only what the policy changes."""

    index: int
    arrived_at: datetime
    size: int
    day_part: str
    name: str
    phone: str
    preferences: tuple[tuple[str, object], ...]  # e.g. (("feature", "booth"),)
    patience_minutes: float  # how long they wait before giving up
    max_quote_minutes: float  # a longer quote and they walk away at once
    tells_host: bool  # when they give up: cancel at the stand (True) or just leave (no-show)
    dining_noise: float  # lognormal factor on the median dining time
    seed: int

    @property
    def preference(self) -> dict:
        return dict(self.preferences)


@dataclass
class BreakRecord:
    """A break within a shift; open (ended_at None) only in the service in progress."""

    started_at: datetime
    ended_at: datetime | None
    paid: bool


@dataclass
class ShiftRecord:
    """A clocked shift. `accept_from` and `cut_at` bound when the host may seat this server."""

    index: int
    staff: int
    role: str
    section: int | None
    clock_in: datetime
    clock_out: datetime | None
    accept_from: datetime
    cut_at: datetime
    breaks: list[BreakRecord] = field(default_factory=list)


@dataclass
class ItemRecord:
    """A line on a check, priced from the menu at the time."""

    menu_item: int
    name: str
    category: str
    quantity: int
    unit_price: Decimal
    ordered_at: datetime
    voided: bool = False

    @property
    def line_total(self) -> Decimal:
        return Decimal(0) if self.voided else self.unit_price * self.quantity


@dataclass
class WaitlistRecord:
    """A party that could not be seated on arrival: what we quoted and what happened."""

    index: int
    party: int
    party_name: str
    party_size: int
    phone: str
    preferences: dict
    status: str  # waiting, notified, seated, cancelled, no_show
    quoted_wait_minutes: int
    added_at: datetime
    notified_at: datetime | None = None
    seated_at: datetime | None = None
    removed_at: datetime | None = None

    @property
    def actual_wait_minutes(self) -> float | None:
        if self.seated_at is None:
            return None
        return (self.seated_at - self.added_at).total_seconds() / 60


@dataclass
class VisitRecord:
    """A party at a table (plus any tables pushed next to it) from seating to the check closing."""

    index: int
    party: int
    table: int
    joined_tables: tuple[int, ...]
    server: int
    party_size: int
    day_part: str
    seated_at: datetime
    closed_at: datetime | None
    subtotal: Decimal
    tax: Decimal
    tip: Decimal
    discount: Decimal
    pos_check_id: str
    waitlist: int | None
    wait_minutes: float
    items: list[ItemRecord] = field(default_factory=list)

    @property
    def tables(self) -> tuple[int, ...]:
        return (self.table, *self.joined_tables)

    @property
    def turn_minutes(self) -> float | None:
        if self.closed_at is None:
            return None
        return (self.closed_at - self.seated_at).total_seconds() / 60


@dataclass(frozen=True)
class StateChangeRecord:
    """One change of a table's state."""

    table: int
    from_state: str
    to_state: str
    source: str
    at: datetime
    note: str = ""
