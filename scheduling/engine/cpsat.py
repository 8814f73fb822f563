"""The optimiser: the week as one CP-SAT model.

Hard (never broken): availability and time off, role, at most `max_shifts_per_day` shifts a day, the
minimum rest between shifts on different days, each person's weekly hours and shifts, each slot's
ceiling, locked items kept. Minimum coverage is hard *when it can be met*: it is written with a
shortfall variable whose price (w_short_min per quarter-hour) outweighs every soft goal together, so
the solver meets every minimum it can and a short week still gets its best partial schedule, which
the diagnosis then explains.

Soft (weighted in the objective): reach each slot's target, preferred day-parts, hours near each
person's fair share and not below what they asked for, prime shifts spread (the most any one person
gets), a strong server on every busy shift, and last week's shifts kept.

The solver runs in a helper thread so that progress is reported from the caller's thread (the
caller writes it to the database; a database connection belongs to its thread)."""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduling.engine.greedy import solve_greedy
from scheduling.engine.problem import Assignment, Problem, Solution, rest_conflict

Progress = Callable[[float, str], None]
QUARTER = 15


def fair_targets(problem: Problem) -> dict[int, int]:
    """Each person's fair share of the week's target hours, in quarter-hours: one common level,
    clipped to what each person can work and wants (water-filling: the level where the clipped
    shares add up to the demand)."""
    demand = sum(s.target * (s.minutes // QUARTER) for s in problem.slots)
    caps, floors = {}, {}
    for person in problem.people:
        per_day: dict = defaultdict(int)
        for slot in problem.slots:
            if person.can_work(slot):
                per_day[slot.date] = max(per_day[slot.date], slot.minutes // QUARTER)
        best_days = sorted(per_day.values(), reverse=True)[: person.max_shifts]
        caps[person.id] = min(int(person.max_hours * 60) // QUARTER, sum(best_days))
        floors[person.id] = min(caps[person.id], int(person.min_hours * 60) // QUARTER)

    def total(level: float) -> float:
        return sum(min(caps[p], max(floors[p], level)) for p in caps)

    low, high = 0.0, float(max(caps.values(), default=0))
    if total(high) <= demand:
        return dict(caps)
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (mid, high) if total(mid) < demand else (low, mid)
    return {p: int(round(min(caps[p], max(floors[p], high)))) for p in caps}


def solve_cpsat(problem: Problem, *, progress: Progress | None = None) -> Solution:
    started = time.perf_counter()
    rules = problem.rules
    model = cp_model.CpModel()
    slots = problem.slots
    index = problem.slot_index()
    people = {p.id: p for p in problem.people}

    locked: set[tuple[int, int]] = set()
    for lock in problem.locked:
        s = index.get((lock.date, lock.day_part, lock.role))
        if s is not None and lock.person_id in people:
            locked.add((lock.person_id, s))

    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in problem.people:
        for s, slot in enumerate(slots):
            if (p.id, s) in locked or p.can_work(slot):
                x[p.id, s] = model.new_bool_var(f"x_{p.id}_{s}")
    for key in locked:
        model.add(x[key] == 1)

    by_person: dict[int, list[int]] = defaultdict(list)
    by_slot: dict[int, list[int]] = defaultdict(list)
    for p_id, s in x:
        by_person[p_id].append(s)
        by_slot[s].append(p_id)

    def locked_count(pairs) -> int:
        return sum(1 for pair in pairs if pair in locked)

    cost = []
    # Per person: shifts a day, rest, hours and shifts a week. Where locked items already exceed a
    # limit, the limit is raised to what was locked (the validator reports it; the model stays solvable).
    for p_id, mine in by_person.items():
        person = people[p_id]
        days: dict = defaultdict(list)
        for s in mine:
            days[slots[s].date].append(s)
        for day_slots in days.values():
            cap = max(rules.max_shifts_per_day, locked_count((p_id, s) for s in day_slots))
            model.add(sum(x[p_id, s] for s in day_slots) <= cap)
        ordered = sorted(mine, key=lambda s: slots[s].start)
        for i, s in enumerate(ordered):
            for t in ordered[i + 1 :]:
                if (slots[t].start - slots[s].end).total_seconds() >= rules.min_rest_hours * 3600:
                    break
                a, b = slots[s], slots[t]
                same_day_apart = a.date == b.date and not (a.start < b.end and b.start < a.end)
                if same_day_apart or not rest_conflict(a, b, rules.min_rest_hours):
                    continue
                if (p_id, s) in locked and (p_id, t) in locked:
                    continue
                model.add(x[p_id, s] + x[p_id, t] <= 1)
        quarters = {s: slots[s].minutes // QUARTER for s in mine}
        locked_q = sum(quarters[s] for s in mine if (p_id, s) in locked)
        max_q = max(int(person.max_hours * 60) // QUARTER, locked_q)
        hours = model.new_int_var(0, max(max_q, 0), f"h_{p_id}")
        model.add(hours == sum(quarters[s] * x[p_id, s] for s in mine))
        model.add(sum(x[p_id, s] for s in mine) <= max(person.max_shifts, locked_count((p_id, s) for s in mine)))
        target = fair_targets_cache(problem).get(p_id, 0)
        dev = model.new_int_var(0, 4 * 24 * 7, f"dev_{p_id}")
        model.add(dev >= hours - target)
        model.add(dev >= target - hours)
        cost.append(rules.w_fair_hours * dev)
        min_q = int(person.min_hours * 60) // QUARTER
        if min_q:
            below = model.new_int_var(0, min_q, f"below_{p_id}")
            model.add(below >= min_q - hours)
            cost.append(rules.w_below_desired * below)
        for s in mine:
            if not person.prefers(slots[s]):
                cost.append(rules.w_not_preferred * x[p_id, s])
            if (slots[s].date.weekday(), slots[s].day_part, slots[s].role) in person.previous:
                cost.append(rules.w_stability * (1 - x[p_id, s]))

    shortfall_min, shortfall_target = {}, {}
    for s, slot in enumerate(slots):
        heads = [x[p_id, s] for p_id in by_slot.get(s, [])]
        total = sum(heads) if heads else 0
        q = slot.minutes // QUARTER
        model.add(total <= max(slot.max_staff, locked_count((p_id, s) for p_id in by_slot.get(s, []))))
        short_min = model.new_int_var(0, slot.min_staff, f"smin_{s}")
        short_t = model.new_int_var(0, slot.target, f"st_{s}")
        model.add(total + short_min >= slot.min_staff)
        model.add(total + short_t >= slot.target)
        shortfall_min[s], shortfall_target[s] = short_min, short_t
        cost.append(rules.w_short_min * q * short_min)
        cost.append(rules.w_short_target * q * short_t)
        if slot.busy:
            strong = [x[p_id, s] for p_id in by_slot.get(s, []) if people[p_id].tier == "strong"]
            if strong:
                miss = model.new_bool_var(f"nostrong_{s}")
                model.add(sum(strong) + miss >= 1)
                cost.append(rules.w_tier_mix * miss)

    prime_by_role: dict[str, list[int]] = defaultdict(list)
    for s, slot in enumerate(slots):
        if slot.prime:
            prime_by_role[slot.role].append(s)
    for role, prime_slots in prime_by_role.items():
        most = model.new_int_var(0, len(prime_slots), f"primemax_{role}")
        for p_id in by_person:
            mine = [x[p_id, s] for s in prime_slots if (p_id, s) in x]
            if len(mine) > 1:
                model.add(most >= sum(mine))
        cost.append(rules.w_prime_spread * most)

    model.minimize(sum(cost))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(rules.time_limit_seconds)
    solver.parameters.num_workers = rules.workers or (os.cpu_count() or 1)
    solver.parameters.random_seed = rules.random_seed
    built = time.perf_counter()

    class Watch(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.first: float | None = None
            self.best: float | None = None
            self.count = 0

        def on_solution_callback(self):
            self.count += 1
            self.best = self.objective_value
            if self.first is None:
                self.first = time.perf_counter() - started

    watch = Watch()
    result: dict = {}
    done = threading.Event()

    def run():
        try:
            result["status"] = solver.solve(model, watch)
        finally:
            done.set()

    thread = threading.Thread(target=run, name="cp-sat", daemon=True)
    thread.start()
    while not done.wait(0.5):
        if progress:
            elapsed = time.perf_counter() - built
            best = f"best cost {watch.best:,.0f}" if watch.best is not None else "searching"
            progress(
                min(0.99, elapsed / max(0.1, rules.time_limit_seconds)), f"CP-SAT: {watch.count} solutions, {best}"
            )
    thread.join()
    status = result.get("status")
    name = solver.status_name(status) if status is not None else "UNKNOWN"
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        fallback = solve_greedy(problem, progress=progress)
        fallback.status = "FALLBACK"
        fallback.notes.append(f"CP-SAT ended {name} within {rules.time_limit_seconds:g} s; the greedy engine answered")
        fallback.solve_seconds = time.perf_counter() - started
        return fallback
    assignments = [
        Assignment(p_id, s, locked=(p_id, s) in locked) for (p_id, s), var in x.items() if solver.boolean_value(var)
    ]
    assignments.sort(key=lambda a: (slots[a.slot].start, slots[a.slot].role, a.person_id))
    return Solution(
        engine="cpsat",
        status=name,
        assignments=assignments,
        objective=solver.objective_value,
        bound=solver.best_objective_bound,
        solve_seconds=time.perf_counter() - started,
        first_feasible_seconds=watch.first,
        notes=[f"{len(x)} choices, {watch.count} improving solutions"],
    )


def fair_targets_cache(problem: Problem) -> dict[int, int]:
    cached = problem.__dict__.get("_fair_targets")
    if cached is None:
        cached = fair_targets(problem)
        object.__setattr__(problem, "_fair_targets", cached)
    return cached
