"""The simulator's public API. Pure Python: no Django, no global random state, no clock.

    from simulator.engine import RestaurantConfig, simulate_history, replay_service, service_metrics

    history = simulate_history(RestaurantConfig.demo(), start=date(2026, 3, 2), days=28, seed=7)
    dinners = [s.plan for s in history.services if "dinner" in s.plan.day_parts]
    for plan in dinners:
        print(service_metrics(replay_service(plan, my_policy)))

Same config, dates, seed (and `now`) give the same history, record for record. See docs/simulator.md."""

from __future__ import annotations

import random
from datetime import date

from simulator.build import build_floor, build_profiles, build_requirements, build_staff
from simulator.config import DayPart, MenuItemSpec, RestaurantConfig, SectionPlan, TableKind
from simulator.demand import arrivals_between, day_part_rate, day_part_window, dining_minutes, generate_arrivals
from simulator.history import History, build_restaurant, simulate_history
from simulator.metrics import ServiceMetrics, gini, service_metrics
from simulator.policies import host_quote, random_policy, rotation_host_policy
from simulator.reactions import Reactions
from simulator.records import Party
from simulator.roster import Block, Roster
from simulator.service import (
    FloorState,
    Hold,
    InvalidSeating,
    QuotePolicy,
    Seating,
    SeatPolicy,
    ServerView,
    ServicePlan,
    ServiceResult,
    SimRestaurant,
    TableView,
    WaitingParty,
    run_service,
)

__all__ = [
    "DayPart",
    "FloorState",
    "History",
    "Hold",
    "InvalidSeating",
    "MenuItemSpec",
    "Party",
    "QuotePolicy",
    "Reactions",
    "RestaurantConfig",
    "Seating",
    "SeatPolicy",
    "SectionPlan",
    "ServerView",
    "ServiceMetrics",
    "ServicePlan",
    "ServiceResult",
    "SimRestaurant",
    "TableKind",
    "TableView",
    "WaitingParty",
    "build_floor",
    "build_profiles",
    "build_requirements",
    "build_restaurant",
    "build_staff",
    "dining_minutes",
    "generate_arrivals",
    "gini",
    "host_quote",
    "plan_service",
    "random_policy",
    "replay_service",
    "rotation_host_policy",
    "service_metrics",
    "simulate_history",
]


def plan_service(config: RestaurantConfig, day: date, *, day_part: str = "dinner", seed: int = 0) -> ServicePlan:
    """One service of one day, ready to replay: the seed's restaurant and staff, a roster, the arrivals."""
    part = config.day_part(day_part)
    restaurant, profiles = build_restaurant(config, seed, day)
    begin, end = day_part_window(config, day, part)
    block = Block(f"{day:%Y%m%d}-{part.key}", day, begin, end, (part.key,))
    arrivals = arrivals_between(
        config,
        begin,
        end,
        day_part_rate(config, day, part),
        lambda _at: part.key,
        random.Random(f"{seed}:arrivals:{block.key}"),
    )
    shifts = Roster(config, restaurant, profiles).plan(block, random.Random(f"{seed}:roster:{block.key}"))
    return ServicePlan(block.key, restaurant, begin, end, (part.key,), arrivals, shifts)


def replay_service(
    plan: ServicePlan, seat_policy: SeatPolicy = rotation_host_policy, quote_policy: QuotePolicy = host_quote
) -> ServiceResult:
    """Run a service plan through a seat policy (and a quote policy) from the first arrival to the last
    table bussed. Replaying one plan through two policies compares them on the very same guests."""
    return run_service(plan, seat_policy, quote_policy)
