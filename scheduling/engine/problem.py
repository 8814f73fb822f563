"""The schedule as the engine sees it: plain frozen dataclasses, no Django.

A `Problem` is a week: the slots to fill (a date, a day-part and a role, with a floor, a target and a
ceiling of heads), the people who might fill them, the items a manager locked, and the rules. Every
engine (CP-SAT, greedy), the validator, the fairness figures, the diagnosis and the reasons read the
same `Problem`, so they can never disagree about what a rule means."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Slot:
    """Heads of one role needed in one day-part of one date. Times are local and naive."""

    date: date
    day_part: str
    role: str
    start: datetime
    end: datetime
    min_staff: int
    target: int
    max_staff: int
    prime: bool = False  # Friday and Saturday dinner: shifts people want, spread fairly
    busy: bool = False  # wants at least one strong person of the role when there is one
    forecast_covers: float | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def key(self) -> tuple[date, str, str]:
        return (self.date, self.day_part, self.role)

    @property
    def label(self) -> str:
        """'Saturday dinner', the way a manager names a shift."""
        return f"{WEEKDAY_NAMES[self.date.weekday()]} {self.day_part}"


@dataclass(frozen=True)
class Person:
    """Someone who may be scheduled: what they can do, what they want, and when they cannot work.

    `unavailable` maps (date, day-part) to the reason in words ("on approved time off (Vacation)");
    anything not in it is workable. `previous` holds last week's shifts as (weekday, day-part, role)."""

    id: int
    name: str
    roles: tuple[str, ...]
    tier: str = "standard"
    min_hours: float = 0
    max_hours: float = 40
    max_shifts: int = 6
    preferred_day_parts: frozenset[str] = frozenset()
    unavailable: dict = field(default_factory=dict, hash=False, compare=False)
    previous: frozenset = frozenset()

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else f"#{self.id}"

    def can_work(self, slot: Slot) -> bool:
        return slot.role in self.roles and (slot.date, slot.day_part) not in self.unavailable

    def prefers(self, slot: Slot) -> bool:
        return not self.preferred_day_parts or slot.day_part in self.preferred_day_parts


@dataclass(frozen=True)
class Rules:
    """Hard rules and the weights of the soft goals. Weights are per quarter-hour of a shift where the
    goal is about hours, and per shift otherwise."""

    max_shifts_per_day: int = 1
    min_rest_hours: float = 10.0
    time_limit_seconds: float = 10.0
    workers: int = 0  # 0: all cores
    random_seed: int = 0
    w_short_min: int = 1000
    w_short_target: int = 60
    w_not_preferred: int = 30
    w_fair_hours: int = 2
    w_below_desired: int = 6
    w_prime_spread: int = 40
    w_tier_mix: int = 120
    w_stability: int = 8


@dataclass(frozen=True)
class Locked:
    """A shift a manager fixed by hand: the engine keeps it whatever else it changes."""

    person_id: int
    date: date
    day_part: str
    role: str


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    people: tuple[Person, ...]
    locked: tuple[Locked, ...] = ()
    rules: Rules = Rules()

    def person(self, person_id: int) -> Person:
        return self.people_by_id()[person_id]

    def people_by_id(self) -> dict[int, Person]:
        cached = self.__dict__.get("_by_id")
        if cached is None:
            cached = {p.id: p for p in self.people}
            object.__setattr__(self, "_by_id", cached)
        return cached

    def slot_index(self) -> dict[tuple, int]:
        cached = self.__dict__.get("_slot_index")
        if cached is None:
            cached = {slot.key: i for i, slot in enumerate(self.slots)}
            object.__setattr__(self, "_slot_index", cached)
        return cached


@dataclass(frozen=True)
class Assignment:
    """One person on one slot."""

    person_id: int
    slot: int  # index into Problem.slots
    locked: bool = False


@dataclass
class Solution:
    """What an engine answers: the assignments and how it got them."""

    engine: str  # "cpsat" or "greedy"
    status: str  # OPTIMAL, FEASIBLE, HEURISTIC (greedy), or FALLBACK (CP-SAT found nothing, greedy answered)
    assignments: list[Assignment]
    objective: float | None = None
    bound: float | None = None
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        if abs(self.objective) < 1e-9:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


def rest_conflict(a: Slot, b: Slot, min_rest_hours: float) -> bool:
    """Two shifts one person cannot both work: they overlap, or (on different dates) the rest between
    them is shorter than the minimum (closing at 23:00 and opening at 07:00)."""
    if a.start < b.end and b.start < a.end:
        return True
    if a.date == b.date:
        return False
    first, second = (a, b) if a.start <= b.start else (b, a)
    return (second.start - first.end).total_seconds() < min_rest_hours * 3600
