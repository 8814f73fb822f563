"""Quality figures of the routing engine and the learned wait quotes, on simulated evenings.

Replays the same simulated dinners (simulator.engine: same guests, same staff, same dining times)
through the routing engine in each mode, through the simulator's random-assignment baseline and through
its plain "host rotation" rule, and prints per policy: the Gini coefficient of covers per server-hour,
the most covers any server got in any 15 minutes, double-seats (one server seated twice within 5
minutes), table utilisation and the guests' wait. Then the waitlist: the mean absolute error of our
learned quote against the actual wait, next to a naive quote (10 minutes per party ahead + 10) and the
simulator's host rule of thumb, all three asked at the same moment about the same parties.

The engine runs exactly as in production (floor.engine.routing.rank_seatings and
floor.engine.quotes.simulate_waits, the pure cores route_party and the waitlist use); only the
loading from the database is replaced by an adapter from the simulator's floor. No database, and no
Django: the engine imports none.

    .venv/bin/python bench/bench_routing_quality.py [--evenings 14] [--seed 7] [--busy 1.3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from floor.engine.floor import (  # noqa: E402
    BALANCED,
    DEVELOPING,
    OCCUPIED,
    PERFORMANCE,
    ROTATION,
    STANDARD,
    STRONG,
    FloorServer,
    FloorSnapshot,
    FloorTable,
    Preferences,
    RoutingConfig,
)
from floor.engine.floor import Party as SeatedParty  # noqa: E402
from floor.engine.quotes import QueuedParty, TurnModel, quote_minutes, simulate_waits  # noqa: E402
from floor.engine.routing import rank_seatings  # noqa: E402
from simulator.engine import (  # noqa: E402
    FloorState,
    Party,
    RestaurantConfig,
    Seating,
    host_quote,
    plan_service,
    random_policy,
    replay_service,
    rotation_host_policy,
    service_metrics,
    simulate_history,
)

HISTORY_START = date(2026, 2, 2)  # a Monday
HISTORY_DAYS = 28
NO_QUOTE_MINUTES = 120  # a party no table here could seat: quote long (they will walk)
TABLE_ROLES = ("server", "bartender")  # the roles that take tables (staff.models.PERFORMANCE_TRACKED_ROLES)


def tier_of(skill: float) -> str:
    """The bench's stand-in for the weekly tier job: the simulator's skill, cut in thirds."""
    if skill >= 0.7:
        return STRONG
    if skill < 0.4:
        return DEVELOPING
    return STANDARD


def party_preferences(party: Party) -> Preferences:
    feature = party.preference.get("feature")
    if feature == "accessible":
        return Preferences(accessible=True)
    return Preferences(feature=feature) if feature else Preferences()


def floor_table(t, now) -> FloorTable:
    """A simulator table as the engine's one table: an occupied one holds its party, seated since `since`."""
    minutes = (now - t.since).total_seconds() / 60 if t.since else 0.0
    seated = t.state == OCCUPIED and t.party_size
    return FloorTable(
        id=t.id,
        label=t.label,
        section_id=t.section,
        min_seats=t.min_seats,
        max_seats=t.max_seats,
        state=t.state,
        features=tuple(t.features),
        combinable_group=t.combinable_group,
        minutes_in_state=minutes,
        party=SeatedParty(t.id, t.party_size, t.since, (t.id,)) if seated else None,
        minutes_seated=minutes if seated else None,
    )


# -- the seat policy: the routing engine on the simulator's floor ----------------------------------


def engine_policy(mode: str, skills: dict[int, float]):
    """A simulator seat policy that seats each party where the routing engine's top recommendation says."""
    config = RoutingConfig()  # the settings a new restaurant starts with

    def policy(state: FloorState, party: Party) -> Seating | None:
        snapshot = FloorSnapshot(
            now=state.now,
            mode=mode,
            config=config,
            tables=tuple(floor_table(t, state.now) for t in state.tables),
            servers=tuple(
                FloorServer(
                    staff_id=s.id,
                    name=s.name,
                    shift_id=s.id,
                    clock_in=s.clock_in,
                    section_id=s.section,
                    role=s.role,
                    takes_tables=s.role in TABLE_ROLES,
                    tier=tier_of(skills[s.id]),
                    on_break=s.on_break,
                    cut=not s.accepting and not s.on_break,  # before their section opens, or after their cut
                    last_seated_at=s.last_seated_at,
                    covers_now=s.active_covers,
                    tables_now=s.open_tables,
                    covers_shift=s.covers,
                    parties_shift=s.parties,
                )
                for s in state.servers
            ),
            section_names={s.index: s.name for s in state.sections},
        )
        ranking = rank_seatings(snapshot, party_size=party.size, preferences=party_preferences(party), limit=1)
        if not ranking.recommendations:
            return None
        top = ranking.recommendations[0]
        return Seating(tuple(top.table_ids), top.server_id)

    return policy


# -- the quote policy: our learned quote, recording the naive and host quotes beside it -------------


@dataclass
class QuoteRecorder:
    """Quotes each waiting party with the learned model and notes what the other rules would have said."""

    model: TurnModel
    quotes: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # party -> (ours, naive, host)
    seconds: float = 0.0

    def __call__(self, state: FloorState, party: Party) -> int:
        started = time.perf_counter()
        staffed = set(state.accepting_by_section())
        tables = [floor_table(t, state.now) for t in state.tables if not staffed or t.section in staffed]
        queue = []
        for waiting in state.waitlist:
            queue.append(
                QueuedParty(
                    key=waiting.party.index,
                    party_size=waiting.party.size,
                    accessible=waiting.party.preference.get("feature") == "accessible",
                )
            )
            if waiting.party is party:
                break
        waits = simulate_waits(tables=tables, queue=queue, model=self.model, day_part=party.day_part)
        ours = quote_minutes(waits[party.index])
        ours = NO_QUOTE_MINUTES if ours is None else ours
        naive = 10 * (len(queue) - 1) + 10
        self.quotes[party.index] = (ours, naive, host_quote(state, party))
        self.seconds += time.perf_counter() - started
        return ours


def learn_model(config: RestaurantConfig, seed: int) -> tuple[TurnModel, dict]:
    """The turn model from four weeks of simulated history, as load_turn_model learns it from the database."""
    history = simulate_history(config, start=HISTORY_START, days=HISTORY_DAYS, seed=seed, now=None, live=False)
    stays = [(v.day_part, v.party_size, v.turn_minutes) for v in history.visits() if v.turn_minutes is not None]
    bus, dirty_since = [], {}
    for service in history.services:
        for change in sorted(service.state_changes, key=lambda c: c.at):
            if change.to_state == "dirty":
                dirty_since[change.table] = change.at
            elif change.from_state == "dirty" and change.table in dirty_since:
                bus.append((change.at - dirty_since.pop(change.table)).total_seconds() / 60)
    outcomes = Counter(entry.status for entry in history.waitlist())
    model = TurnModel.from_history(stays=stays, bus_minutes=bus, waitlist_outcomes=dict(outcomes))
    return model, {"visits": len(stays), "bussings": len(bus), "waitlist": sum(outcomes.values())}


# -- running and printing ---------------------------------------------------------------------------


POLICIES = ("rotation", "balanced", "performance", "host rule", "random")


@dataclass
class Totals:
    """Figures of one policy summed over the evenings."""

    ginis: list[float] = field(default_factory=list)
    bursts: list[int] = field(default_factory=list)
    doubles: int = 0
    utilisation: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    parties: int = 0
    walkaways: int = 0
    errors: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "naive": [], "host": []})
    actual: list[float] = field(default_factory=list)
    quote_seconds: float = 0.0
    quotes: int = 0


def run(evenings: int, seed: int, busy: float, config: RestaurantConfig) -> tuple[dict[str, Totals], dict]:
    model, learned = learn_model(config, seed)
    if busy != 1.0:
        config = replace(
            config, peak_rates=tuple((p, tuple(r * busy for r in rates)) for p, rates in config.peak_rates)
        )
    first = HISTORY_START + timedelta(days=HISTORY_DAYS)
    totals = {name: Totals() for name in POLICIES}
    for n in range(evenings):
        plan = plan_service(config, first + timedelta(days=n), day_part="dinner", seed=seed)
        skills = {member.index: member.skill for member in plan.restaurant.staff}
        policies = {
            "rotation": engine_policy(ROTATION, skills),
            "balanced": engine_policy(BALANCED, skills),
            "performance": engine_policy(PERFORMANCE, skills),
            "host rule": rotation_host_policy,
            "random": random_policy(seed * 1000 + n),
        }
        for name, policy in policies.items():
            recorder = QuoteRecorder(model)
            result = replay_service(plan, policy, recorder)
            metrics = service_metrics(result)
            t = totals[name]
            t.ginis.append(metrics.covers_per_server_hour_gini)
            t.bursts.append(metrics.max_covers_in_15_min)
            t.doubles += metrics.double_seats
            t.utilisation.append(metrics.table_utilisation)
            t.waits += list(result.party_waits.values())
            t.parties += metrics.parties
            t.walkaways += metrics.walkaways
            t.quote_seconds += recorder.seconds
            t.quotes += len(recorder.quotes)
            for entry in result.waitlist:
                if entry.status != "seated" or entry.actual_wait_minutes is None:
                    continue
                ours, naive, host = recorder.quotes[entry.party]
                actual = entry.actual_wait_minutes
                t.actual.append(actual)
                t.errors["ours"].append(abs(ours - actual))
                t.errors["naive"].append(abs(naive - actual))
                t.errors["host"].append(abs(host - actual))
    return totals, learned


def print_report(totals: dict[str, Totals], learned: dict, *, evenings: int, seed: int, busy: float) -> None:
    print(
        f"Routing quality: {evenings} simulated dinners (demo restaurant, seed {seed}, demand x{busy:g}), "
        f"learned from {learned['visits']} visits, {learned['bussings']} bussings, "
        f"{learned['waitlist']} waitlist entries of {HISTORY_DAYS} days"
    )
    print(
        "(Gini of covers per server-hour, mean of evenings; most covers one server got in 15 minutes, worst and\n"
        " mean of evenings; double-seats per evening; table utilisation; wait of seated parties, mean and p90,\n"
        " minutes; share of parties who walked away)"
    )
    header = (
        f"{'policy':<12} {'gini cov/h':>10} {'15min max':>9} {'mean':>5} {'dbl/eve':>7} {'util':>6} "
        f"{'wait':>5} {'p90':>5} {'walked':>6}"
    )
    print(header)
    print("-" * len(header))
    for name, t in totals.items():
        waits = sorted(t.waits) or [0.0]
        print(
            f"{name:<12} {statistics.mean(t.ginis):>10.3f} {max(t.bursts):>9d} {statistics.mean(t.bursts):>5.1f} "
            f"{t.doubles / evenings:>7.1f} {statistics.mean(t.utilisation):>6.3f} "
            f"{statistics.mean(waits):>5.1f} {waits[int(0.9 * (len(waits) - 1))]:>5.1f} "
            f"{t.walkaways / max(t.parties, 1):>6.1%}"
        )
    rotation, random_ = totals["rotation"], totals["random"]
    fairer = sum(r < b for r, b in zip(rotation.ginis, random_.ginis, strict=True))
    print(
        f"rotation vs random: Gini {statistics.mean(rotation.ginis):.3f} vs {statistics.mean(random_.ginis):.3f} "
        f"({1 - statistics.mean(rotation.ginis) / statistics.mean(random_.ginis):.0%} lower), "
        f"fairer on {fairer} of {evenings} evenings"
    )
    print()
    print("Waitlist quotes (parties that waited and were seated; same parties, same moment, per policy run)")
    header = (
        f"{'policy':<12} {'parties':>7} {'actual':>6} {'ours MAE':>8} {'naive MAE':>9} {'host MAE':>8} "
        f"{'ours/naive':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, t in totals.items():
        if not t.actual:
            print(f"{name:<12} {0:>7d}")
            continue
        mae = {kind: statistics.mean(errors) for kind, errors in t.errors.items()}
        print(
            f"{name:<12} {len(t.actual):>7d} {statistics.mean(t.actual):>6.1f} {mae['ours']:>8.1f} "
            f"{mae['naive']:>9.1f} {mae['host']:>8.1f} {mae['ours'] / mae['naive']:>10.2f}"
        )
    all_quotes = sum(t.quotes for t in totals.values())
    seconds = sum(t.quote_seconds for t in totals.values())
    print(f"quote time: {1000 * seconds / max(all_quotes, 1):.1f} ms per quote ({all_quotes} quotes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evenings", type=int, default=14, help="dinners to replay (default 14: two weeks)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--busy", type=float, default=1.0, help="scale the dinner demand (1.3: a busier season)")
    args = parser.parse_args()
    started = time.perf_counter()
    totals, learned = run(args.evenings, args.seed, args.busy, RestaurantConfig.demo())
    print_report(totals, learned, evenings=args.evenings, seed=args.seed, busy=args.busy)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
