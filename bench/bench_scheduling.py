"""Schedules: the CP-SAT optimiser against the greedy score-and-rank baseline on the same week, and
the demand forecast against seasonal-naive.

Instances are built by the simulator (staff, skills, availability, preferences, time off and
requirements, deterministic for a seed), so the figures can be reproduced:

- `demo`: the demo restaurant (`manage.py seed_demo`'s config: 28 staff, 2 day-parts, 5 roles);
- `40`: 40 staff x 7 days x 3 day-parts (breakfast, lunch, dinner) x 4 roles;
- `150`: the same at 150 staff (time to first feasible, and to the limit).

The forecast backtest simulates weeks of the demo restaurant's services (no database) and replays the
last two weeks day by day. Run: `python bench/bench_scheduling.py [--time-limit 10] [--sizes demo,40,150]
[--small] [--json]`; `--small` is the quick CI run."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduling.engine import Person, Problem, Rules, Slot, solve  # noqa: E402
from scheduling.engine.availability import DayPart, Leave, Window, unavailable_map  # noqa: E402
from scheduling.engine.diagnosis import diagnose  # noqa: E402
from scheduling.engine.fairness import coverage, fairness  # noqa: E402
from scheduling.engine.forecast import backtest  # noqa: E402
from scheduling.engine.validate import hard, validate  # noqa: E402
from simulator.build import build_floor, build_profiles, build_requirements, build_staff  # noqa: E402
from simulator.config import DINNER, LUNCH, RestaurantConfig  # noqa: E402
from simulator.config import DayPart as SimDayPart

BREAKFAST = SimDayPart("breakfast", "Breakfast", dtime(7, 0), dtime(11, 0), hourly_profile=(0.5, 1.0, 0.8, 0.4))
WEEK = date(2026, 12, 7)  # a Monday


def config_for(size: str) -> RestaurantConfig:
    demo = RestaurantConfig.demo()
    if size == "demo":
        return demo
    staff = int(size)
    share = {"server": 0.5, "bartender": 0.15, "host": 0.15, "busser": 0.2}
    counts = {role: max(1, round(staff * s)) for role, s in share.items()}
    counts["server"] += staff - sum(counts.values())
    scale = staff / 40
    base = {
        ("breakfast", "server"): (2, 2, 2, 2, 2, 3, 3),
        ("lunch", "server"): (3, 3, 3, 3, 3, 4, 4),
        ("dinner", "server"): (4, 4, 5, 5, 6, 6, 5),
        ("breakfast", "bartender"): (0, 0, 0, 0, 0, 1, 1),
        ("lunch", "bartender"): (1, 1, 1, 1, 1, 1, 1),
        ("dinner", "bartender"): (1, 1, 1, 1, 2, 2, 1),
        ("breakfast", "host"): (1, 1, 1, 1, 1, 1, 1),
        ("lunch", "host"): (1, 1, 1, 1, 1, 1, 1),
        ("dinner", "host"): (1, 1, 1, 1, 2, 2, 1),
        ("breakfast", "busser"): (1, 1, 1, 1, 1, 1, 1),
        ("lunch", "busser"): (1, 1, 1, 1, 1, 2, 2),
        ("dinner", "busser"): (2, 2, 2, 2, 3, 3, 2),
    }
    staffing = tuple((part, role, tuple(max(0, round(n * scale)) for n in ns)) for (part, role), ns in base.items())
    return dataclasses.replace(
        demo,
        name=f"Bench {staff}",
        day_parts=(BREAKFAST, LUNCH, DINNER),
        staff_counts=tuple(counts.items()),
        staffing=staffing,
        peak_rates=(("breakfast", (6.0,) * 7), *demo.peak_rates),
    )


def many_staff(config: RestaurantConfig, rng: random.Random) -> tuple:
    """The simulator names people from 36 first names; a larger team is built in batches of up to 30."""
    remaining = dict(config.staff_counts)
    staff: list = []
    batch = 0
    while any(remaining.values()):
        take, room = {}, 30
        for role, n in remaining.items():
            take[role] = min(n, max(1, room // len(remaining)) if n else 0)
            room -= take[role]
        remaining = {role: n - take[role] for role, n in remaining.items()}
        part = build_staff(
            dataclasses.replace(config, staff_counts=tuple(take.items())), rng, WEEK - timedelta(days=28)
        )
        suffix = f" {batch + 1}" if batch else ""
        staff += [dataclasses.replace(m, index=len(staff) + i, name=m.name + suffix) for i, m in enumerate(part)]
        batch += 1
    return tuple(staff)


def simulated_problem(size: str, *, seed: int, time_limit: float) -> Problem:
    """The week of WEEK for a simulated restaurant, built the way scheduling.selectors builds it from rows."""
    config = config_for(size)
    rng = random.Random(seed)
    sections, _ = build_floor(config)
    staff = many_staff(config, rng)
    profiles = build_profiles(config, staff, sections, rng, WEEK - timedelta(days=28), WEEK + timedelta(days=7))
    requirements = build_requirements(config)
    parts = [DayPart(p.key, p.start, p.end) for p in config.day_parts]
    dates = [WEEK + timedelta(days=i) for i in range(7)]
    windows, leaves = defaultdict(list), defaultdict(list)
    # The simulator's windows cover exactly the day-parts people prefer, which would make every schedule
    # 100 % preferred. Here an available day opens at 06:00, so preferences are a real trade-off.
    for w in profiles.availability:
        start = min(w.start, dtime(6, 0)) if w.available else w.start
        windows[w.staff].append(Window(w.weekday, start, w.end, w.available, w.effective_from, w.effective_until))
    for t in profiles.time_off:
        if t.status == "approved":
            leaves[t.staff].append(Leave(t.start_date, t.end_date, t.reason))
    prefs = {p.staff: p for p in profiles.preferences}
    last_part = max(config.day_parts, key=lambda p: p.start).key
    slots = []
    for day in dates:
        for r in requirements:
            if r.weekday != day.weekday() or r.target_staff == 0:
                continue
            part = config.day_part(r.day_part)
            prime = day.weekday() in (4, 5) and r.day_part == last_part
            slots.append(
                Slot(
                    date=day,
                    day_part=r.day_part,
                    role=r.role,
                    start=datetime.combine(day, part.start),
                    end=datetime.combine(day, part.end),
                    min_staff=r.min_staff,
                    target=r.target_staff,
                    max_staff=r.max_staff,
                    prime=prime,
                    busy=prime or (r.role == "server" and r.target_staff >= 5),
                )
            )
    people = []
    for member in staff:
        pref = prefs[member.index]
        roles = tuple(dict.fromkeys((member.role, *pref.roles)))
        people.append(
            Person(
                id=member.index,
                name=member.name,
                roles=roles,
                tier="strong" if member.skill >= 0.7 else "developing" if member.skill < 0.35 else "standard",
                min_hours=pref.min_hours,
                max_hours=pref.max_hours,
                max_shifts=pref.max_shifts,
                preferred_day_parts=frozenset(pref.day_parts),
                unavailable=unavailable_map(windows[member.index], leaves[member.index], parts, dates),
            )
        )
    return Problem(slots=tuple(slots), people=tuple(people), rules=Rules(time_limit_seconds=time_limit))


def figures(problem: Problem, solution) -> dict:
    cov = coverage(problem, solution.assignments)
    fair = fairness(problem, solution.assignments)
    return {
        "status": solution.status,
        "shifts": len(solution.assignments),
        "shortfall_hours": cov["shortfall_hours"],
        "target_shortfall_hours": cov["target_shortfall_hours"],
        "minimum_met": cov["minimum_met"],
        "hours_gini": fair["hours_gini"],
        "share_within_desired": fair["share_within_desired"],
        "prime_max_per_person": fair["prime_max_per_person"],
        "prime_spread": fair["prime_spread"],
        "preference_score": fair["preference_score"],
        "hard_violations": len(hard(validate(problem, solution.assignments))),
        "unmet_slots": len(diagnose(problem, solution.assignments)),
        "solve_seconds": round(solution.solve_seconds, 3),
        "first_feasible_seconds": None
        if solution.first_feasible_seconds is None
        else round(solution.first_feasible_seconds, 3),
        "objective": solution.objective,
        "bound": solution.bound,
        "gap": None if solution.gap is None else round(solution.gap, 4),
    }


def ratio(a, b):
    if a is None or b is None:
        return None
    if b == 0:
        return None if a else 1.0
    return round(a / b, 3)


def compare(size: str, *, seed: int, time_limit: float) -> dict:
    problem = simulated_problem(size, seed=seed, time_limit=time_limit)
    greedy = figures(problem, solve(problem, engine="greedy"))
    cpsat = figures(problem, solve(problem, engine="cpsat"))
    return {
        "instance": size,
        "staff": len(problem.people),
        "slots": len(problem.slots),
        "roles": len({s.role for s in problem.slots}),
        "day_parts": len({s.day_part for s in problem.slots}),
        "greedy": greedy,
        "cpsat": cpsat,
        "cpsat_vs_greedy": {
            key: ratio(cpsat[key], greedy[key])
            for key in ("shortfall_hours", "target_shortfall_hours", "hours_gini", "prime_spread", "preference_score")
        },
    }


def forecast_backtest(*, seed: int, weeks: int) -> dict:
    from simulator.history import simulate_history  # noqa: PLC0415 -- the backtest alone needs it

    config = RestaurantConfig.demo()
    tz = ZoneInfo(config.timezone)
    now = datetime(2026, 11, 30, 10, 0, tzinfo=tz)
    history = simulate_history(
        config, start=now.date() - timedelta(days=7 * weeks), days=7 * weeks, seed=seed, live=False
    )
    covers: dict = defaultdict(float)
    for visit in history.visits():
        local = visit.seated_at.astimezone(tz)
        part = next((p.key for p in config.day_parts if p.start <= local.time() < p.end), None)
        if part and local.date() < now.date():
            covers[local.date(), part] += visit.party_size
    result = backtest(dict(covers), [p.key for p in config.day_parts], test_weeks=2, weeks=6)
    result["mape_vs_naive"] = ratio(result["mape"], result["mape_naive"])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--sizes", default="demo,40,150")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weeks", type=int, default=8, help="weeks of simulated history for the forecast backtest")
    parser.add_argument("--small", action="store_true", help="quick run for CI: demo and 40 staff, 3 s limit, 5 weeks")
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    args = parser.parse_args()
    if args.small:
        args.sizes, args.time_limit, args.weeks = "demo,40", min(args.time_limit, 3.0), 5
    started = time.perf_counter()
    runs = [compare(size, seed=args.seed, time_limit=args.time_limit) for size in args.sizes.split(",")]
    for run in runs:
        shape = f"{run['day_parts']} day-parts x {run['roles']} roles x 7 days"
        print(f"\n{run['instance']}: {run['staff']} staff, {run['slots']} slots ({shape})")
        print(f"  {'':<28}{'greedy':>12}{'cp-sat':>12}{'ratio':>9}")
        for key in (
            "shortfall_hours",
            "target_shortfall_hours",
            "minimum_met",
            "hours_gini",
            "share_within_desired",
            "prime_spread",
            "prime_max_per_person",
            "preference_score",
            "hard_violations",
            "solve_seconds",
            "first_feasible_seconds",
        ):
            g, c = run["greedy"][key], run["cpsat"][key]
            print(f"  {key:<28}{g!s:>12}{c!s:>12}{ratio(c, g)!s:>9}")
        c = run["cpsat"]
        print(f"  cp-sat status {c['status']}, objective {c['objective']}, bound {c['bound']}, gap {c['gap']}")
    forecast = forecast_backtest(seed=args.seed, weeks=args.weeks)
    print(
        f"\nforecast backtest ({forecast['days']} day-parts): MAPE ours {forecast['mape']}, "
        f"seasonal-naive {forecast['mape_naive']} (ratio {forecast['mape_vs_naive']})"
    )
    print(f"total {time.perf_counter() - started:.1f} s on {os.cpu_count()} cores")
    if args.json:
        print(json.dumps({"runs": runs, "forecast": forecast, "cores": os.cpu_count()}))


if __name__ == "__main__":
    main()
