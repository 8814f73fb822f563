"""Who works each service: picks staff for a service from availability, time off, preferences and
hours already worked that week, gives servers their sections, staggers clock-ins and cuts, and
plans breaks. Nobody is booked on two overlapping shifts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simulator.build import StaffProfile
from simulator.config import ROLES, RestaurantConfig
from simulator.records import BreakRecord, ShiftRecord
from simulator.service import SimRestaurant

# Minutes before the doors open that each role clocks in (negative: after).
CLOCK_IN_LEAD = {"server": 30, "bartender": 30, "host": 20, "busser": 15, "runner": -15}


@dataclass(frozen=True)
class Block:
    """One continuous service: a day-part, or several merged when they overlap (today's live rush)."""

    key: str
    local_date: date
    start: datetime  # doors open (UTC)
    end: datetime  # day-part ends (UTC); last seating is earlier
    day_parts: tuple[str, ...]
    live: bool = False


class Roster:
    """Plans shifts service after service, remembering who is busy and each week's hours."""

    def __init__(self, config: RestaurantConfig, restaurant: SimRestaurant, profiles: StaffProfile):
        self.config = config
        self.restaurant = restaurant
        self.tz = ZoneInfo(config.timezone)
        self.windows: dict[int, list] = {}
        for window in profiles.availability:
            self.windows.setdefault(window.staff, []).append(window)
        self.preferences = {p.staff: p for p in profiles.preferences}
        self.days_off = {
            (t.staff, t.start_date + timedelta(days=n))
            for t in profiles.time_off
            if t.status == "approved"
            for n in range((t.end_date - t.start_date).days + 1)
        }
        self.busy: dict[int, list[tuple[datetime, datetime]]] = {}
        self.hours: dict[tuple[int, int], float] = {}
        self.count: dict[tuple[int, int], int] = {}

    def targets(self, block: Block) -> dict[str, int]:
        weekday = block.local_date.weekday()
        out = {}
        for role in ROLES:
            wanted = [self.config.staffing_target(key, role, weekday) for key in block.day_parts if key != "live"]
            if block.live:  # today's rush is staffed like the busiest service of the week
                wanted += [self.config.staffing_target(p.key, role, d) for p in self.config.day_parts for d in range(7)]
            out[role] = max(wanted, default=0)
        return out

    def plan(self, block: Block, rng: random.Random) -> list[ShiftRecord]:
        """The shifts of one service, with sections for servers and breaks for long shifts. A service
        longer than eight hours (a merged live rush) is worked in two overlapping waves."""
        span = block.end - block.start
        if span <= timedelta(hours=8):
            waves = [(block.start, block.end)]
        else:
            middle = block.start + span / 2
            waves = [(block.start, middle + timedelta(minutes=45)), (middle - timedelta(minutes=45), block.end)]
        shifts: list[ShiftRecord] = []
        for begin, end in waves:
            shifts += self._plan_wave(block, begin, end, rng, len(shifts))
        return shifts

    def _plan_wave(
        self, block: Block, doors: datetime, end: datetime, rng: random.Random, first_index: int
    ) -> list[ShiftRecord]:
        shifts: list[ShiftRecord] = []
        for role, needed in self.targets(block).items():
            if needed <= 0:
                continue
            clock_in = doors - timedelta(minutes=CLOCK_IN_LEAD[role])
            picked = self._pick(role, needed, block, clock_in, end, rng)
            if role in ("server", "bartender"):
                picked.sort(key=lambda i: -(self.restaurant.staff[i].skill + rng.uniform(0, 0.3)))
            sections = [s.index for s in self.restaurant.sections if s.served_by == role]
            late = len(picked) // 3 if role == "server" and len(picked) >= 4 else 0
            early_cut = len(picked) // 4 if role == "server" and len(picked) >= 4 else 0
            for position, staff in enumerate(picked):
                start = clock_in + timedelta(minutes=rng.uniform(-8, 5))
                accept_from, cut_at = doors, end
                if role == "runner":
                    cut_at = end - timedelta(minutes=60)
                if position >= len(picked) - late:  # the later sections open an hour in
                    start = doors + timedelta(minutes=30 + rng.uniform(-5, 5))
                    accept_from = doors + timedelta(minutes=60)
                elif position >= len(picked) - late - early_cut:  # smaller sections close first
                    cut_at = end - timedelta(minutes=90)
                shift = ShiftRecord(
                    index=first_index + len(shifts),
                    staff=staff,
                    role=role,
                    section=sections[position % len(sections)] if sections else None,
                    clock_in=start,
                    clock_out=None,
                    accept_from=max(accept_from, start),
                    cut_at=cut_at,
                    breaks=self._breaks(start, max(accept_from, start), cut_at, rng),
                )
                shifts.append(shift)
                self._book(staff, block, shift)
        return shifts

    def settle(self, shifts: list[ShiftRecord]) -> None:
        """Replace booked ends with actual clock-outs: a server who stayed late is busy until then."""
        for shift in shifts:
            booked = self.busy.get(shift.staff, [])
            for position, (begin, _) in enumerate(booked):
                if begin == shift.clock_in and shift.clock_out is not None:
                    booked[position] = (begin, max(shift.clock_out, shift.cut_at))

    def _pick(
        self, role: str, needed: int, block: Block, clock_in: datetime, end: datetime, rng: random.Random
    ) -> list[int]:
        week = block.local_date.isocalendar()[:2]
        week_key = week[0] * 100 + week[1]
        candidates = []
        for member in self.restaurant.staff:
            if member.role != role or (member.index, block.local_date) in self.days_off:
                continue
            booked = self.busy.get(member.index, ())
            if any(s < end + timedelta(hours=2) and clock_in - timedelta(hours=1) < e for s, e in booked):
                continue
            pref = self.preferences.get(member.index)
            hours = self.hours.get((member.index, week_key), 0.0)
            shifts = self.count.get((member.index, week_key), 0)
            candidates.append(
                (
                    not self._available(member.index, clock_in, end),
                    pref is not None and (hours >= pref.max_hours or shifts >= pref.max_shifts),
                    pref is not None and not set(block.day_parts) & set(pref.day_parts),
                    hours,
                    rng.random(),
                    member.index,
                )
            )
        candidates.sort()
        return [candidate[-1] for candidate in candidates[:needed]]

    def _available(self, staff: int, start: datetime, end: datetime) -> bool:
        local_start, local_end = start.astimezone(self.tz), end.astimezone(self.tz)
        until = local_end.time() if local_end.date() == local_start.date() else time(23, 59)
        weekday, since = local_start.weekday(), local_start.time()
        windows = [w for w in self.windows.get(staff, ()) if w.weekday == weekday]
        if any(not w.available and w.start < until and since < w.end for w in windows):
            return False
        return any(w.available and w.start <= since and until <= w.end for w in windows)

    def _breaks(self, start: datetime, accept_from: datetime, cut_at: datetime, rng: random.Random) -> list:
        length = (cut_at - start).total_seconds() / 3600
        breaks = []
        if (accept_from - start).total_seconds() >= 25 * 60:
            family_meal = start + timedelta(minutes=rng.uniform(2, 6))
            breaks.append(BreakRecord(family_meal, family_meal + timedelta(minutes=15), True))
        if length >= 7.5:
            middle = start + (cut_at - start) / 2 + timedelta(minutes=rng.uniform(-20, 20))
            breaks.append(BreakRecord(middle, middle + timedelta(minutes=30), False))
        elif length >= 5 and rng.random() < 0.5:
            late = cut_at - timedelta(minutes=rng.uniform(70, 110))
            breaks.append(BreakRecord(late, late + timedelta(minutes=10), True))
        return breaks

    def _book(self, staff: int, block: Block, shift: ShiftRecord) -> None:
        self.busy.setdefault(staff, []).append((shift.clock_in, shift.cut_at))
        week = block.local_date.isocalendar()[:2]
        key = (staff, week[0] * 100 + week[1])
        self.hours[key] = self.hours.get(key, 0.0) + (shift.cut_at - shift.clock_in).total_seconds() / 3600 + 0.5
        self.count[key] = self.count.get(key, 0) + 1
