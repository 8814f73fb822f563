"""Weeks of history for one restaurant: every service from a start date, cut at "now".

The services of a day are its day-parts. With `now` given and `live` on, a busy service is added
around now (before_minutes before, after_minutes after) and merged with any day-part it overlaps,
so the history ends in the middle of a service whatever the clock says: open visits, servers on
the floor, dirty tables, a waitlist. Everything after `now` is cut off."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from simulator.build import StaffProfile, build_floor, build_profiles, build_requirements, build_staff
from simulator.config import RestaurantConfig
from simulator.demand import Kitchen, arrivals_between, day_part_rate, day_part_window, live_rate
from simulator.policies import host_quote, rotation_host_policy
from simulator.records import RequirementRecord, ShiftRecord, VisitRecord, WaitlistRecord
from simulator.roster import Block, Roster
from simulator.service import QuotePolicy, SeatPolicy, ServicePlan, ServiceResult, SimRestaurant, run_service

LIVE = "live"
# Staff arrive before the doors open and the last tables leave well after the day-part ends: services
# whose footprints overlap are one continuous service.
FOOTPRINT_BEFORE = timedelta(minutes=45)
FOOTPRINT_AFTER = timedelta(minutes=60)
LIVE_ATTEMPTS = 6


@dataclass
class History:
    """A restaurant and everything that happened in it, service by service, up to `now`."""

    config: RestaurantConfig
    seed: int
    start: date
    days: int
    now: datetime | None
    restaurant: SimRestaurant
    profiles: StaffProfile
    requirements: tuple[RequirementRecord, ...]
    services: list[ServiceResult]
    table_states: list[tuple[str, datetime | None]]  # current state of each table and since when

    def visits(self) -> list[VisitRecord]:
        return [visit for service in self.services for visit in service.visits]

    def waitlist(self) -> list[WaitlistRecord]:
        return [entry for service in self.services for entry in service.waitlist]

    def shifts(self) -> list[ShiftRecord]:
        return [shift for service in self.services for shift in service.shifts]

    def summary(self) -> dict:
        """Headline figures: what a newcomer would want to know about the data."""
        visits = self.visits()
        closed = [v for v in visits if v.closed_at is not None]
        sales = sum((v.subtotal for v in closed), Decimal(0))
        tips = sum((v.tip for v in closed), Decimal(0))
        return {
            "days": self.days,
            "services": len(self.services),
            "tables": len(self.restaurant.tables),
            "sections": len(self.restaurant.sections),
            "staff": len(self.restaurant.staff),
            "visits": len(visits),
            "covers": sum(v.party_size for v in visits),
            "open_visits": len(visits) - len(closed),
            "items": sum(len(v.items) for v in visits),
            "waitlist_entries": len(self.waitlist()),
            "shifts": len(self.shifts()),
            "sales": str(sales),
            "tip_pct": round(float(tips / sales) * 100, 1) if sales else None,
        }


def build_restaurant(
    config: RestaurantConfig, seed: int, start: date, days: int = 42
) -> tuple[SimRestaurant, StaffProfile]:
    """Floor, staff and their profiles for a seed; the same seed gives the same people."""
    sections, tables = build_floor(config)
    rng = random.Random(f"{seed}:staff")
    staff = build_staff(config, rng, start)
    restaurant = SimRestaurant(config, sections, tables, staff)
    return restaurant, build_profiles(config, staff, sections, rng, start, start + timedelta(days=days))


def plan_blocks(
    config: RestaurantConfig, start: date, days: int, now: datetime | None, live: bool
) -> list[tuple[Block, list]]:
    """The services to simulate, as blocks with the rate functions that make up their demand."""
    tz = ZoneInfo(config.timezone)
    windows = []  # (start, end, key, rate, local date)
    for offset in range(days):
        day = start + timedelta(days=offset)
        for part in config.day_parts:
            begin, end = day_part_window(config, day, part)
            windows.append((begin, end, part.key, day_part_rate(config, day, part), day))
    if now is not None and live:
        begin = now - timedelta(minutes=config.live_before_minutes)
        end = now + timedelta(minutes=config.live_after_minutes)
        rate = live_rate(config, begin, end, now - timedelta(minutes=20))
        windows.append((begin, end, LIVE, rate, now.astimezone(tz).date()))
    windows.sort(key=lambda w: w[0])
    merged: list[list] = []
    for window in windows:
        if merged and window[0] - FOOTPRINT_BEFORE < merged[-1][-1][1] + FOOTPRINT_AFTER:
            merged[-1].append(window)
        else:
            merged.append([window])
    blocks = []
    for group in merged:
        begin = min(w[0] for w in group)
        if now is not None and begin >= now:
            continue
        local_date = begin.astimezone(tz).date()
        keys = tuple(w[2] for w in group)
        block = Block(
            key=f"{local_date:%Y%m%d}-{'+'.join(keys)}",
            local_date=local_date,
            start=begin,
            end=max(w[1] for w in group),
            day_parts=keys,
            live=LIVE in keys,
        )
        blocks.append((block, group))
    return blocks


def simulate_history(
    config: RestaurantConfig,
    *,
    start: date,
    days: int,
    seed: int,
    now: datetime | None = None,
    live: bool = True,
    seat_policy: SeatPolicy | None = None,
    quote_policy: QuotePolicy | None = None,
) -> History:
    """Simulate `days` local days from `start`. With `now` (aware), stop there, mid-service if `live`."""
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    restaurant, profiles = build_restaurant(config, seed, start, days)
    roster = Roster(config, restaurant, profiles)
    services = []
    finished = None
    for block, windows in plan_blocks(config, start, days, now, live):
        if finished is not None and finished > block.start:
            # The last tables of the service before are still being cleared (only a live rush placed
            # after a dinner gets this close): open the doors once they are free.
            block = replace(block, start=finished + timedelta(minutes=10))
            if now is not None and block.start >= now:
                continue
        shifts = roster.plan(block, random.Random(f"{seed}:roster:{block.key}"))
        result = cut = None
        # Today's rush is drawn again (same staff, new guests) until a few parties are waiting at
        # `now`, so the demo floor always shows a short waitlist; other services are drawn once.
        for attempt in range(LIVE_ATTEMPTS if block.live and now is not None else 1):
            plan = _plan(config, restaurant, block, windows, shifts, f"{seed}:arrivals:{block.key}:{attempt}")
            result = run_service(plan, seat_policy or rotation_host_policy, quote_policy or host_quote)
            cut = cut_at(result, now, config) if now is not None else result
            if 1 <= sum(entry.status in ("waiting", "notified") for entry in cut.waitlist) <= 8:
                break
        roster.settle(result.shifts)
        finished = result.finished_at
        services.append(cut)
    return History(
        config=config,
        seed=seed,
        start=start,
        days=days,
        now=now,
        restaurant=restaurant,
        profiles=profiles,
        requirements=build_requirements(config),
        services=services,
        table_states=_table_states(restaurant, services),
    )


def _plan(config, restaurant, block: Block, windows, shifts, arrivals_seed: str) -> ServicePlan:
    real_parts = [(w[0], w[1], config.day_part(w[2])) for w in windows if w[2] != LIVE]
    live_rates = [w[3] for w in windows if w[2] == LIVE]
    fallback = config.day_parts[-1]  # today's rush eats like a dinner

    def part_at(at: datetime):
        for begin, end, part in real_parts:
            if begin <= at < end:
                return part
        return fallback

    def rate(at: datetime) -> float:
        regular = max((r(at) for r in (w[3] for w in windows if w[2] != LIVE)), default=0.0)
        # Quicker meals turn tables faster: the live rush scales up so the floor stays as full.
        rush = max((r(at) for r in live_rates), default=0.0) / part_at(at).dining_factor
        return max(regular, rush)

    def day_part_of(at: datetime) -> str:
        return part_at(at).key

    arrivals = arrivals_between(config, block.start, block.end, rate, day_part_of, random.Random(arrivals_seed))
    return ServicePlan(block.key, restaurant, block.start, block.end, block.day_parts, arrivals, shifts)


def cut_at(result: ServiceResult, now: datetime, config: RestaurantConfig) -> ServiceResult:
    """The service as it stood at `now`: later events gone, what was under way left open."""
    visits = []
    for visit in result.visits:
        if visit.seated_at >= now:
            continue
        if visit.closed_at is not None and visit.closed_at > now:
            items = [item for item in visit.items if item.ordered_at < now]
            subtotal, tax = Kitchen.running_totals(items, config.tax_rate)
            visit = replace(
                visit, closed_at=None, items=items, subtotal=subtotal, tax=tax, tip=Decimal(0), discount=Decimal(0)
            )
        visits.append(visit)
    waitlist = []
    for entry in result.waitlist:
        if entry.added_at >= now:
            continue
        entry = replace(entry)
        if entry.notified_at is not None and entry.notified_at >= now:
            entry.notified_at = None
        if (entry.seated_at or entry.removed_at or now) >= now and entry.status != "waiting":
            entry.status = "notified" if entry.notified_at else "waiting"
            entry.seated_at = entry.removed_at = None
        waitlist.append(entry)
    shifts = []
    for shift in result.shifts:
        if shift.clock_in >= now:
            continue
        shift = replace(shift, breaks=[replace(b) for b in shift.breaks if b.started_at < now])
        if shift.clock_out is not None and shift.clock_out >= now:
            shift.clock_out = None
        for pause in shift.breaks:
            if pause.ended_at is not None and pause.ended_at >= now:
                pause.ended_at = None
        shifts.append(shift)
    changes = [change for change in result.state_changes if change.at < now]
    seated = {visit.party for visit in visits}
    waits = {party: wait for party, wait in result.party_waits.items() if party in seated}
    return replace(result, visits=visits, waitlist=waitlist, shifts=shifts, state_changes=changes, party_waits=waits)


def _table_states(restaurant: SimRestaurant, services: list[ServiceResult]) -> list[tuple[str, datetime | None]]:
    states: list[tuple[str, datetime | None]] = [("available", None)] * len(restaurant.tables)
    for service in services:
        for change in service.state_changes:
            states[change.table] = (change.to_state, change.at)
    return states
