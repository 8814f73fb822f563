"""Weekly availability windows and approved time off turned into the engine's one question: can this
person work this day-part of this date, and if not, why (in words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from scheduling.engine.problem import WEEKDAY_NAMES


@dataclass(frozen=True)
class Window:
    """A recurring weekly window (weekday 0 = Monday) someone can, or cannot, work."""

    weekday: int
    start: time
    end: time
    available: bool = True
    effective_from: date | None = None
    effective_until: date | None = None
    notes: str = ""

    def applies(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.effective_from is None or self.effective_from <= day)
            and (self.effective_until is None or day <= self.effective_until)
        )


@dataclass(frozen=True)
class Leave:
    """Approved time off, inclusive dates."""

    start_date: date
    end_date: date
    reason: str = ""


@dataclass(frozen=True)
class DayPart:
    key: str
    start: time
    end: time


def unavailable_map(windows: list[Window], leaves: list[Leave], day_parts: list[DayPart], dates: list[date]) -> dict:
    """(date, day-part key) -> reason, for every day-part this person cannot work. Someone with no
    windows at all has not said when they can work, and is treated as available (7shifts does the same)."""
    out = {}
    for day in dates:
        leave = next((lv for lv in leaves if lv.start_date <= day <= lv.end_date), None)
        todays = [w for w in windows if w.applies(day)]
        for part in day_parts:
            if leave is not None:
                out[day, part.key] = "on approved time off" + (f" ({leave.reason})" if leave.reason else "")
                continue
            blocked = next((w for w in todays if not w.available and w.start < part.end and part.start < w.end), None)
            if blocked is not None:
                note = f", {blocked.notes}" if blocked.notes else ""
                out[day, part.key] = (
                    f"not available {WEEKDAY_NAMES[day.weekday()]} {blocked.start:%H:%M}-{blocked.end:%H:%M}{note}"
                )
                continue
            if any(w.available for w in windows) and not any(
                w.available and w.start <= part.start and part.end <= w.end for w in todays
            ):
                out[day, part.key] = f"not available {WEEKDAY_NAMES[day.weekday()]} {part.key}"
    return out
