"""The original score-and-rank engine: slot after slot in time order, the best-scoring person who
breaks no rule takes the next place, until the target is met or nobody is left.

It is fast and never fails, so it is the baseline the optimiser is measured against and the fallback
when the optimiser finds nothing in its time limit. Its weakness is the order: Monday's choices spend
the hours Saturday needed."""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduling.engine.problem import Assignment, Person, Problem, Slot, Solution
from scheduling.engine.validate import Ledger

Progress = Callable[[float, str], None]


def fit_score(person: Person, slot: Slot, ledger: Ledger) -> float:
    """How well this person fits this shift now, 0-1: preference, hours still wanted, tier on a busy
    shift, same shift as last week."""
    score = 0.3 if person.prefers(slot) else 0.0
    hours = ledger.hours(person.id)
    if person.min_hours and hours < person.min_hours:
        score += 0.25 * (person.min_hours - hours) / person.min_hours
    score += 0.2 * (1 - min(1.0, hours / person.max_hours)) if person.max_hours else 0.0
    if slot.busy and person.tier == "strong":
        score += 0.15
    if (slot.date.weekday(), slot.day_part, slot.role) in person.previous:
        score += 0.1
    return round(min(1.0, score), 4)


def solve_greedy(problem: Problem, *, progress: Progress | None = None) -> Solution:
    started = time.perf_counter()
    ledger = Ledger(problem)
    index = problem.slot_index()
    assignments: list[Assignment] = []
    for lock in problem.locked:
        slot = index.get((lock.date, lock.day_part, lock.role))
        if slot is not None and lock.person_id in problem.people_by_id():
            ledger.add(lock.person_id, slot)
            assignments.append(Assignment(lock.person_id, slot, locked=True))
    order = sorted(range(len(problem.slots)), key=lambda i: (problem.slots[i].start, problem.slots[i].role))
    for done, i in enumerate(order):
        slot = problem.slots[i]
        while len(ledger.heads[i]) < slot.target:
            ranked = sorted(
                (p for p in problem.people if not ledger.blockers(p, i)),
                key=lambda p: (-fit_score(p, slot, ledger), ledger.hours(p.id), p.id),
            )
            if not ranked:
                break
            ledger.add(ranked[0].id, i)
            assignments.append(Assignment(ranked[0].id, i))
        if progress and done % 8 == 0:
            progress(done / max(1, len(order)), f"greedy: {slot.label} {slot.role}")
    return Solution(
        engine="greedy",
        status="HEURISTIC",
        assignments=assignments,
        solve_seconds=time.perf_counter() - started,
        first_feasible_seconds=time.perf_counter() - started,
    )
