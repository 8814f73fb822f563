"""Quality figures of the routing engine and the learned wait quotes, on simulated evenings, quiet to
very busy.

Replays the same simulated dinners (simulator.engine: same guests, same staff, same dining times, the
servers' reactions to double seats and overload) at each demand level (the dinner's arrival rate x1.0,
x1.3, x1.6, x2.0) through every policy side by side: the routing engine as it ships (rotation, balanced,
performance, with the busy-night rules on), the engine as it was before them ("rotation (today)"), that
one with each busy-night rule alone (covers basis, table mix, pacing, the load of a server's tier, load
with tables lent across sections: each change measured alone), the simulator's plain host rule (rotation
by section, smallest table that fits) and random seating. Per policy: the Gini of covers per server-hour
(mean of evenings), double seats per evening (one server seated twice within 5 minutes), the share of
parties who walked away, the mean wait of seated parties, covers seated per evening, the mean absolute
error of the learned quote, and the share of quoted parties seated within the range they were quoted. At
x1.6 it checks the issue's aims against the host rule. `--json` prints every figure as one JSON object
on the last line: {"x1.6": {"rotation": {"gini", "double_seats", "walked", "wait_mean", "covers",
"quote_mae", "within_quote"}, "host rule": {...}, ...}, ...}.

The engine runs exactly as in production (floor.engine.routing.rank_seatings with its outlook, and
floor.engine.quotes); only the loading from the database is replaced by an adapter from the simulator's
floor. No database, and no Django: the engine imports none.

    .venv/bin/python bench/bench_routing_quality.py [--evenings 14] [--seed 7] [--levels 1.0,1.3,1.6,2.0]
        [--busy 1.6] [--json]
"""

from __future__ import annotations

import argparse
import json
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
    COVERS,
    OCCUPIED,
    PERFORMANCE,
    ROTATION,
    FloorServer,
    FloorSnapshot,
    FloorTable,
    Preferences,
    RoutingConfig,
)
from floor.engine.floor import Party as SeatedParty  # noqa: E402
from floor.engine.outlook import Outlook  # noqa: E402
from floor.engine.quotes import QueuedParty, TurnModel, queue_quotes, table_free_minutes  # noqa: E402
from floor.engine.routing import rank_seatings  # noqa: E402
from simulator.engine import (  # noqa: E402
    FloorState,
    Hold,
    Party,
    RestaurantConfig,
    Seating,
    plan_service,
    random_policy,
    replay_service,
    rotation_host_policy,
    service_metrics,
    simulate_history,
)
from simulator.reactions import tier_of_skill  # noqa: E402

HISTORY_START = date(2026, 2, 2)  # a Monday
HISTORY_DAYS = 28
NO_QUOTE_MINUTES = 120  # a party no table here could seat: quote long (they will walk)
TABLE_ROLES = ("server", "bartender")  # the roles that take tables (staff.models.PERFORMANCE_TRACKED_ROLES)


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


# The restaurant defaults before the busy-night rules, and the settings the engine ships with now
# (restaurant.models.default_routing_settings): each busy-night rule is also measured alone.
TODAY = RoutingConfig()
SHIPPED = RoutingConfig.from_settings(
    {
        "pacing_minutes": 5,
        "hold_minutes_max": 5,
        "rotation_basis": COVERS,
        "table_mix_minutes": 10,
        "overload_penalty": 30.0,
        "borrow_tables": True,
        "borrow_penalty": 20.0,
    }
)
ALONE = {
    "+ covers basis": replace(TODAY, rotation_basis=COVERS),
    "+ table mix": replace(TODAY, table_mix_minutes=SHIPPED.table_mix_minutes),
    "+ pacing": replace(TODAY, pacing_minutes=SHIPPED.pacing_minutes, hold_minutes_max=SHIPPED.hold_minutes_max),
    "+ load": replace(TODAY, overload_penalty=SHIPPED.overload_penalty),
    "+ load, lending": replace(
        TODAY,
        overload_penalty=SHIPPED.overload_penalty,
        borrow_tables=True,
        borrow_penalty=SHIPPED.borrow_penalty,
    ),
}


def snapshot_of(state: FloorState, *, mode: str, config: RoutingConfig, skills: dict, timezone: str) -> FloorSnapshot:
    """The simulator's floor as the engine's one snapshot."""
    return FloorSnapshot(
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
                tier=tier_of_skill(skills[s.id]),
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
        timezone=timezone,
    )


def engine_policy(mode: str, skills: dict[int, float], config: RoutingConfig, model: TurnModel, timezone: str):
    """A simulator seat policy that seats each party where the routing engine's top recommendation says,
    or holds it when that recommendation is a pacing hold. The engine sees the other waiting parties and
    when the busy tables should free (the quote model), as `route_party` does."""

    # The host asks for every waiting party in turn; until someone is seated (a table changes state) or
    # the clock moves, they all look at the same floor, so it is read once.
    floor_now: dict = {}

    def policy(state: FloorState, party: Party) -> Seating | Hold | None:
        key = (state.now, party.day_part, tuple(t.state for t in state.tables))
        if key not in floor_now:
            snapshot = snapshot_of(state, mode=mode, config=config, skills=skills, timezone=timezone)
            frees_in = (
                table_free_minutes(list(snapshot.tables), model, party.day_part) if config.table_mix_minutes else {}
            )
            floor_now.clear()
            floor_now[key] = (snapshot, frees_in)
        snapshot, frees_in = floor_now[key]
        outlook = None
        if config.table_mix_minutes > 0:
            outlook = Outlook(
                waiting=tuple(w.party.size for w in state.waitlist if w.party is not party), frees_in=frees_in
            )
        ranking = rank_seatings(
            snapshot, party_size=party.size, preferences=party_preferences(party), limit=1, outlook=outlook
        )
        if not ranking.recommendations:
            return None
        top = ranking.recommendations[0]
        if top.hold_minutes:
            return Hold(until=state.now + timedelta(minutes=top.hold_minutes))
        return Seating(tuple(top.table_ids), top.server_id)

    return policy


# -- the quote policy: our learned quote, recording the naive and host quotes beside it -------------


@dataclass
class QuoteRecorder:
    """Quotes each waiting party with the learned model, and notes the range it was quoted."""

    model: TurnModel
    config: RoutingConfig  # the policy's: its pacing spaces the seatings the quote simulates
    skills: dict[int, float]
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)  # party -> (low, high) minutes

    def __call__(self, state: FloorState, party: Party) -> int:
        snapshot = snapshot_of(state, mode=ROTATION, config=self.config, skills=self.skills, timezone="UTC")
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
        # As production quotes (floor.engine.quotes.queue_quotes): the staffed sections' tables, the pacing
        # and table mix of the policy's settings, and every section for a party none of those fits.
        quote = queue_quotes(snapshot, queue, model=self.model, day_part=party.day_part)[party.index]
        if quote.minutes is None:
            self.ranges[party.index] = (NO_QUOTE_MINUTES, NO_QUOTE_MINUTES)
            return NO_QUOTE_MINUTES
        self.ranges[party.index] = (quote.low, quote.high)
        return quote.minutes


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


@dataclass
class Totals:
    """Figures of one policy summed over the evenings of one demand level."""

    ginis: list[float] = field(default_factory=list)
    doubles: int = 0
    waits: list[float] = field(default_factory=list)
    parties: int = 0
    walkaways: int = 0
    covers: int = 0
    errors: list[float] = field(default_factory=list)
    within: list[bool] = field(default_factory=list)

    def figures(self, evenings: int) -> dict:
        return {
            "gini": round(statistics.mean(self.ginis), 4),
            "double_seats": round(self.doubles / evenings, 2),
            "walked": round(self.walkaways / max(self.parties, 1), 4),
            "wait_mean": round(statistics.mean(self.waits), 2) if self.waits else 0.0,
            "covers": round(self.covers / evenings, 1),
            "quote_mae": round(statistics.mean(self.errors), 2) if self.errors else None,
            "within_quote": round(sum(self.within) / len(self.within), 4) if self.within else None,
        }


def policies_for(plan, skills, model, seed: int, n: int, timezone: str) -> dict:
    def engine(mode, config):
        return engine_policy(mode, skills, config, model, timezone), config

    return {
        "rotation": engine(ROTATION, SHIPPED),
        "balanced": engine(BALANCED, SHIPPED),
        "performance": engine(PERFORMANCE, SHIPPED),
        "rotation (today)": engine(ROTATION, TODAY),
        **{name: engine(ROTATION, config) for name, config in ALONE.items()},
        "host rule": (rotation_host_policy, TODAY),
        "random": (random_policy(seed * 1000 + n), TODAY),
    }


def run_level(
    evenings: int, seed: int, busy: float, config: RestaurantConfig, model: TurnModel, only: set | None = None
) -> dict:
    if busy != 1.0:
        config = replace(
            config, peak_rates=tuple((p, tuple(r * busy for r in rates)) for p, rates in config.peak_rates)
        )
    first = HISTORY_START + timedelta(days=HISTORY_DAYS)
    totals: dict[str, Totals] = {}
    for n in range(evenings):
        plan = plan_service(config, first + timedelta(days=n), day_part="dinner", seed=seed)
        skills = {member.index: member.skill for member in plan.restaurant.staff}
        for name, (policy, routing) in policies_for(plan, skills, model, seed, n, config.timezone).items():
            if only and name not in only:
                continue
            recorder = QuoteRecorder(model, routing, skills)
            result = replay_service(plan, policy, recorder)
            metrics = service_metrics(result)
            t = totals.setdefault(name, Totals())
            t.ginis.append(metrics.covers_per_server_hour_gini)
            t.doubles += metrics.double_seats
            t.waits += list(result.party_waits.values())
            t.parties += metrics.parties
            t.walkaways += metrics.walkaways
            t.covers += sum(visit.party_size for visit in result.visits)
            for entry in result.waitlist:
                if entry.status != "seated" or entry.actual_wait_minutes is None:
                    continue
                low, high = recorder.ranges[entry.party]
                actual = entry.actual_wait_minutes
                t.errors.append(abs(entry.quoted_wait_minutes - actual))
                t.within.append(low <= actual <= high)
    return {name: t.figures(evenings) for name, t in totals.items()}


AIMS = (  # (figure, most allowed as a share of the host rule's, or least: "covers" at least equal)
    ("gini", 0.7),
    ("double_seats", 0.6),
    ("walked", 0.85),
    ("wait_mean", 1.05),
)


def print_level(level: str, figures: dict, *, evenings: int) -> None:
    print(f"Demand {level} ({evenings} dinners)")
    header = (
        f"{'policy':<17} {'gini cov/h':>10} {'dbl/eve':>7} {'walked':>7} {'wait':>5} {'covers':>7} "
        f"{'quote MAE':>9} {'in range':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, f in figures.items():
        mae = "-" if f["quote_mae"] is None else f"{f['quote_mae']:.1f}"
        within = "-" if f["within_quote"] is None else f"{f['within_quote']:.0%}"
        print(
            f"{name:<17} {f['gini']:>10.3f} {f['double_seats']:>7.1f} {f['walked']:>7.1%} {f['wait_mean']:>5.1f} "
            f"{f['covers']:>7.1f} {mae:>9} {within:>8}"
        )
    print()


def print_aims(figures: dict, level: str) -> None:
    ours, host = figures["rotation"], figures["host rule"]
    print(f"Aims at {level}, rotation against the host rule (same arrivals, same run):")
    for key, most in AIMS:
        ratio = ours[key] / host[key] if host[key] else float("inf")
        verdict = "met" if ratio <= most else f"missed by {ratio - most:.2f}x"
        print(f"  {key:<13} {ours[key]:>8.3f} vs {host[key]:>8.3f} = {ratio:.2f}x (aim <= {most}x): {verdict}")
    verdict = "met" if ours["covers"] >= host["covers"] else f"missed by {host['covers'] - ours['covers']:.1f}"
    print(f"  {'covers':<13} {ours['covers']:>8.1f} vs {host['covers']:>8.1f} (aim >= host rule): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evenings", type=int, default=14, help="dinners to replay (default 14: two weeks)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--levels", default="1.0,1.3,1.6,2.0", help="demand levels, comma-separated")
    parser.add_argument("--busy", type=float, help="one demand level only (1.6: a busy night)")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON on the last line")
    parser.add_argument("--policies", help="only these policies, comma-separated (default: every one)")
    args = parser.parse_args()
    started = time.perf_counter()
    levels = [args.busy] if args.busy is not None else [float(x) for x in args.levels.split(",")]
    config = RestaurantConfig.demo()
    model, learned = learn_model(config, args.seed)
    print(
        f"Routing quality: demo restaurant, seed {args.seed}, quotes learned from {learned['visits']} visits, "
        f"{learned['bussings']} bussings, {learned['waitlist']} waitlist entries of {HISTORY_DAYS} days"
    )
    print(
        "(Gini of covers per server-hour, mean of evenings; double seats per evening; share of parties who\n"
        " walked away; mean wait of seated parties, minutes; covers seated per evening; quote MAE, minutes;\n"
        " share of quoted parties seated within the range they were quoted)\n"
    )
    report = {}
    for busy in levels:
        level = f"x{busy:g}" if busy != int(busy) else f"x{busy:.1f}"
        only = set(args.policies.split(",")) if args.policies else None
        report[level] = run_level(args.evenings, args.seed, busy, config, model, only)
        print_level(level, report[level], evenings=args.evenings)
    for level in report:
        if level == "x1.6" and {"rotation", "host rule"} <= set(report[level]):
            print_aims(report[level], level)
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
