"""Fairness figures of a schedule: Gini of hours, hours against each person's desired range, the
spread of prime shifts, and how many shifts fall in preferred day-parts."""

from __future__ import annotations

from collections import defaultdict

from scheduling.engine.problem import Assignment, Problem


def gini(values: list[float]) -> float:
    """0 when everyone has the same, towards 1 when one person has everything."""
    values = sorted(v for v in values if v >= 0)
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return (2 * weighted) / (n * total) - (n + 1) / n


def hours_by_person(problem: Problem, assignments: list[Assignment]) -> dict[int, float]:
    hours = {p.id: 0.0 for p in problem.people}
    for a in assignments:
        hours[a.person_id] = hours.get(a.person_id, 0.0) + problem.slots[a.slot].hours
    return hours


def fairness(problem: Problem, assignments: list[Assignment]) -> dict:
    """The figures the dashboard and the benchmark show. Gini is over the people who can work at
    least one slot of the week (someone who is off all week is not a sign of unfairness)."""
    hours = hours_by_person(problem, assignments)
    eligible = [p for p in problem.people if any(p.can_work(s) for s in problem.slots)]
    below, within, above = [], 0, 0
    people = []
    for p in eligible:
        h = hours[p.id]
        if h < p.min_hours - 1e-6:
            below.append(p.id)
        elif h > p.max_hours + 1e-6:
            above += 1
        else:
            within += 1
        people.append(
            {"id": p.id, "name": p.name, "hours": round(h, 2), "min_hours": p.min_hours, "max_hours": p.max_hours}
        )
    prime_slots = {i for i, s in enumerate(problem.slots) if s.prime}
    prime_count: dict[int, int] = defaultdict(int)
    for a in assignments:
        if a.slot in prime_slots:
            prime_count[a.person_id] += 1
    prime_eligible = [p for p in eligible if any(p.can_work(problem.slots[i]) for i in prime_slots)]
    prime_values = [prime_count[p.id] for p in prime_eligible]
    preferred = sum(1 for a in assignments if problem.person(a.person_id).prefers(problem.slots[a.slot]))
    for row in people:
        row["prime_shifts"] = prime_count[row["id"]]
    return {
        "hours_gini": round(gini([hours[p.id] for p in eligible]), 4),
        "hours_within_desired": within,
        "hours_below_desired": len(below),
        "hours_above_max": above,
        "share_within_desired": round(within / len(eligible), 4) if eligible else 1.0,
        "prime_shifts": sum(prime_values),
        "prime_max_per_person": max(prime_values, default=0),
        "prime_spread": (max(prime_values) - min(prime_values)) if prime_values else 0,
        "prime_gini": round(gini(prime_values), 4),
        "preference_score": round(preferred / len(assignments), 4) if assignments else 1.0,
        "people": people,
    }


def coverage(problem: Problem, assignments: list[Assignment]) -> dict:
    """Heads against each slot's minimum and target, and the shortfall in staff-hours."""
    heads: dict[int, int] = defaultdict(int)
    for a in assignments:
        heads[a.slot] += 1
    short_min = short_target = 0.0
    slots = []
    for i, slot in enumerate(problem.slots):
        n = heads[i]
        short_min += max(0, slot.min_staff - n) * slot.hours
        short_target += max(0, slot.target - n) * slot.hours
        slots.append(
            {
                "slot": i,
                "date": slot.date.isoformat(),
                "day_part": slot.day_part,
                "role": slot.role,
                "heads": n,
                "min": slot.min_staff,
                "target": slot.target,
                "max": slot.max_staff,
                "forecast_covers": slot.forecast_covers,
            }
        )
    need = sum(s.min_staff for s in problem.slots)
    met = sum(min(heads[i], s.min_staff) for i, s in enumerate(problem.slots))
    return {
        "shortfall_hours": round(short_min, 2),
        "target_shortfall_hours": round(short_target, 2),
        "minimum_met": round(met / need, 4) if need else 1.0,
        "slots_short": sum(1 for i, s in enumerate(problem.slots) if heads[i] < s.min_staff),
        "slots": slots,
    }
