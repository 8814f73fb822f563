"""Demand forecast: covers per date and day-part from past covers, and staff needed per role.

Ours: for each weekday and day-part, the weekly series of past covers (oldest first) smoothed with
Holt's linear method (level and trend, exponentially weighted towards recent weeks), projected the
number of weeks ahead. The baseline: seasonal-naive, the same day-part of the latest week with data.
`backtest` replays past weeks and reports both errors (MAPE) on the same days."""

from __future__ import annotations

import math
from datetime import date, timedelta
from statistics import median

DEFAULT_RATIOS = {"server": 10.0, "bartender": 30.0, "host": 45.0, "busser": 20.0, "runner": 30.0}
History = dict[tuple[date, str], float]


def holt(series: list[float], *, alpha: float = 0.3, beta: float = 0.1) -> tuple[float, float]:
    """Level and trend after the last value. The level starts at the first value and the trend at
    zero: starting it at the first difference let one noisy week tilt every later forecast."""
    if not series:
        return 0.0, 0.0
    level = series[0]
    trend = 0.0
    for value in series[1:]:
        previous = level
        level = alpha * value + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
    return level, trend


def weekly_series(
    history: History, day: date, day_part: str, *, weeks: int, first_day: date | None
) -> tuple[list, int]:
    """The same weekday's covers in the `weeks` weeks before `day`, oldest first, and how many weeks
    ahead of the newest value `day` is. A day inside the history with no visits counts as 0 covers."""
    values, ahead = [], None
    for k in range(weeks, 0, -1):
        past = day - timedelta(days=7 * k)
        value = history.get((past, day_part))
        if value is None and first_day is not None and first_day <= past and past <= max(d for d, _ in history):
            value = 0.0
        if value is not None:
            values.append(float(value))
            ahead = k
    return values, ahead or 1


def forecast_covers(
    history: History, day: date, day_part: str, *, weeks: int = 6, alpha: float = 0.3, beta: float = 0.1
) -> float | None:
    if not history:
        return None
    first_day = min(d for d, _ in history)
    series, ahead = weekly_series(history, day, day_part, weeks=weeks, first_day=first_day)
    if not series:
        return None
    level, trend = holt(series, alpha=alpha, beta=beta)
    return max(0.0, level + ahead * trend)


def seasonal_naive(history: History, day: date, day_part: str, *, weeks: int = 6) -> float | None:
    """Covers of the same day-part on the latest same weekday with data."""
    for k in range(1, weeks + 1):
        value = history.get((day - timedelta(days=7 * k), day_part))
        if value is not None:
            return float(value)
    return None


def mape(actual: list[float], predicted: list[float]) -> float | None:
    pairs = [(a, p) for a, p in zip(actual, predicted, strict=True) if a > 0]
    if not pairs:
        return None
    return sum(abs(a - p) / a for a, p in pairs) / len(pairs)


def backtest(history: History, day_parts: list[str], *, test_weeks: int = 2, weeks: int = 6, **params) -> dict:
    """Forecast each day of the last `test_weeks` weeks from the history before it; MAPE of ours and
    of seasonal-naive over the same days."""
    if not history:
        return {"days": 0, "mape": None, "mape_naive": None}
    last = max(d for d, _ in history)
    start = last - timedelta(days=7 * test_weeks - 1)
    actual, ours, naive = [], [], []
    for offset in range(7 * test_weeks):
        day = start + timedelta(days=offset)
        before = {key: v for key, v in history.items() if key[0] < day}
        for part in day_parts:
            truth = history.get((day, part), 0.0)
            f = forecast_covers(before, day, part, weeks=weeks, **params)
            n = seasonal_naive(before, day, part, weeks=weeks)
            if f is None or n is None:
                continue
            actual.append(truth)
            ours.append(f)
            naive.append(n)
    return {"days": len(actual), "mape": mape(actual, ours), "mape_naive": mape(actual, naive)}


def staff_needed(covers: float | None, hours: float, covers_per_staff_hour: float) -> int | None:
    """Heads of a role for a day-part: covers over what one person handles in its hours, rounded up."""
    if covers is None or hours <= 0 or covers_per_staff_hour <= 0:
        return None
    return math.ceil(covers / (covers_per_staff_hour * hours) - 1e-9)


def ratios_from_history(covers: History, staff_hours: dict[tuple[date, str, str], float]) -> dict[str, float]:
    """Covers per staff-hour of each role, the median over past day-parts that role worked; the
    default where a role has no history."""
    samples: dict[str, list[float]] = {}
    for (day, part, role), hours in staff_hours.items():
        c = covers.get((day, part))
        if c and hours > 0:
            samples.setdefault(role, []).append(c / hours)
    return {
        role: round(median(samples[role]), 2) if samples.get(role) else default
        for role, default in DEFAULT_RATIOS.items()
    }
