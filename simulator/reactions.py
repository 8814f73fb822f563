"""How servers react to the way they are seated: a double-seated or overloaded server serves slower and
earns smaller tips. The guests' side (patience on the waitlist, walking away at a long quote) is drawn
per party in `simulator.demand`; this is the servers' side.

Plain numbers, no randomness: a reaction multiplies the party's own (seeded) dining time and lowers
its own (seeded) tip percentage, so replaying one plan through two seat policies differs only where
the policies seat differently. The figures and where they come from are in docs/simulator.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEVELOPING_BELOW = 0.4  # skill cut-offs of the tiers (the benchmark's stand-in for the weekly tier job)
STRONG_FROM = 0.7


def tier_of_skill(skill: float) -> str:
    """The tier a server of this skill would get: the simulator's skill, cut in thirds."""
    if skill >= STRONG_FROM:
        return "strong"
    if skill < DEVELOPING_BELOW:
        return "developing"
    return "standard"


@dataclass(frozen=True)
class Reactions:
    """What seating a server too fast, or giving them too many tables, costs (docs/simulator.md)."""

    double_seat_minutes: float = 5.0  # another party seated to the same server this recently: a double seat
    double_seat_turn: float = 0.08  # each double seat: the new party's turn this much longer
    double_seat_tip_points: float = 1.0  # ... and its tip this many percentage points lower
    capacity_by_tier: tuple[tuple[str, int], ...] = (("developing", 3), ("standard", 4), ("strong", 5))
    over_capacity_turn: float = 0.10  # each open table beyond the server's capacity
    over_capacity_tip_points: float = 1.0
    max_turn_factor: float = 1.5

    @classmethod
    def none(cls) -> Reactions:
        """Servers who never slow down: the simulator before it modelled reactions."""
        return cls(
            double_seat_turn=0.0, double_seat_tip_points=0.0, over_capacity_turn=0.0, over_capacity_tip_points=0.0
        )

    def capacity(self, skill: float) -> int:
        """Tables a server of this skill carries at once without slowing down."""
        return dict(self.capacity_by_tier)[tier_of_skill(skill)]

    def effect(
        self, *, skill: float, seated_before: list[datetime], open_tables: int, now: datetime
    ) -> tuple[float, float]:
        """(turn factor, tip points lost) for a party seated `now` with a server who was seated at
        `seated_before` and holds `open_tables` other parties."""
        window = timedelta(minutes=self.double_seat_minutes)
        doubles = sum(1 for at in seated_before if now - at < window)
        over = max(0, open_tables + 1 - self.capacity(skill))
        factor = 1.0 + self.double_seat_turn * doubles + self.over_capacity_turn * over
        points = self.double_seat_tip_points * doubles + self.over_capacity_tip_points * over
        return min(factor, self.max_turn_factor), points
