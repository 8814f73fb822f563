"""Figures of one simulated service: fairness between servers, waits, table use, quote accuracy.

The floor benchmarks replay the same services through different seat policies and compare these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from floor.engine.fairness import gini
from simulator.service import ServiceResult


@dataclass(frozen=True)
class ServiceMetrics:
    """Fairness, pace and waits of one service. Waits are those of seated parties (0 when seated on
    arrival); quote errors those of waitlisted parties who were seated."""

    parties: int
    seated: int
    walkaways: int
    covers_per_server_hour_gini: float
    max_covers_in_15_min: int
    double_seats: int
    table_utilisation: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    quote_mae_minutes: float | None


def service_metrics(result: ServiceResult, *, double_seat_minutes: float = 5.0) -> ServiceMetrics:
    """Compute the figures of a finished (not cut) service."""
    hours: dict[int, float] = {}
    for shift in result.shifts:
        if shift.role == "server" and shift.section is not None and shift.clock_out is not None:
            worked = (min(shift.cut_at, shift.clock_out) - shift.accept_from).total_seconds() / 3600
            hours[shift.staff] = hours.get(shift.staff, 0.0) + max(worked, 0.25)
    covers: dict[int, int] = dict.fromkeys(hours, 0)
    seatings: dict[int, list] = {}
    for visit in result.visits:
        if visit.server in hours:  # the bar's guests are the bartender's, outside the rotation
            covers[visit.server] += visit.party_size
            seatings.setdefault(visit.server, []).append((visit.seated_at, visit.party_size))
    rates = [covers[s] / hours[s] for s in hours]

    window, double_window = timedelta(minutes=15), timedelta(minutes=double_seat_minutes)
    max_burst, doubles = 0, 0
    for seats in seatings.values():
        seats.sort()
        lo, running = 0, 0
        for hi, (at, size) in enumerate(seats):
            running += size
            while seats[lo][0] <= at - window:
                running -= seats[lo][1]
                lo += 1
            max_burst = max(max_burst, running)
            if hi and at - seats[hi - 1][0] < double_window:
                doubles += 1

    start, end = result.plan.start, result.finished_at or result.plan.end
    span = max((end - start).total_seconds(), 1.0)
    occupied = sum(
        (visit.closed_at - visit.seated_at).total_seconds() * len(visit.tables)
        for visit in result.visits
        if visit.closed_at is not None
    )
    utilisation = occupied / (span * len(result.plan.restaurant.tables))

    waits = sorted(result.party_waits.values())
    errors = [
        abs(entry.quoted_wait_minutes - entry.actual_wait_minutes)
        for entry in result.waitlist
        if entry.status == "seated" and entry.actual_wait_minutes is not None
    ]
    return ServiceMetrics(
        parties=len(result.plan.arrivals),
        seated=len(result.visits),
        walkaways=result.walkaways,
        covers_per_server_hour_gini=round(gini(rates), 4),
        max_covers_in_15_min=max_burst,
        double_seats=doubles,
        table_utilisation=round(utilisation, 4),
        mean_wait_minutes=round(sum(waits) / len(waits), 2) if waits else 0.0,
        p90_wait_minutes=round(waits[int(0.9 * (len(waits) - 1))], 2) if waits else 0.0,
        quote_mae_minutes=round(sum(errors) / len(errors), 2) if errors else None,
    )
