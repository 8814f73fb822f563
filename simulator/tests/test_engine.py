"""The simulator on its own: determinism, realism, the floor plan, the live service and replays.
No database: the engine is plain Python."""

import os
import random
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import combinations, groupby
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator.build import rotated_bbox
from simulator.engine import (
    InvalidSeating,
    RestaurantConfig,
    Seating,
    build_floor,
    dining_minutes,
    generate_arrivals,
    plan_service,
    random_policy,
    replay_service,
    rotation_host_policy,
    service_metrics,
    simulate_history,
)

NY = ZoneInfo("America/New_York")
START = date(2026, 3, 2)  # a Monday
FRIDAY_EVENING = datetime(2026, 3, 13, 19, 30, tzinfo=NY)


@pytest.fixture(scope="module")
def demo_history():
    """Two full weeks of the demo restaurant: enough for weekday and skill effects."""
    return simulate_history(RestaurantConfig.demo(), start=START, days=14, seed=11)


@pytest.fixture(scope="module")
def small_live_history():
    return simulate_history(RestaurantConfig.small(), start=START, days=12, seed=5, now=FRIDAY_EVENING)


def local(moment: datetime) -> datetime:
    return moment.astimezone(NY)


# --- determinism ------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_history_record_for_record():
    config = RestaurantConfig.small()
    first = simulate_history(config, start=START, days=5, seed=3, now=datetime(2026, 3, 6, 20, 0, tzinfo=NY))
    random.seed(999)  # the engine must not read the global generator
    second = simulate_history(config, start=START, days=5, seed=3, now=datetime(2026, 3, 6, 20, 0, tzinfo=NY))
    assert first.services == second.services
    assert first.restaurant == second.restaurant
    assert first.profiles == second.profiles
    assert first.table_states == second.table_states


def test_the_history_is_the_same_in_another_process_with_another_hash_seed():
    # Set iteration order changes with PYTHONHASHSEED; nothing in the engine may depend on it.
    script = (
        "import hashlib; from datetime import date; from simulator.engine import RestaurantConfig, simulate_history;"
        "h = simulate_history(RestaurantConfig.small(), start=date(2026, 3, 2), days=3, seed=8);"
        "print(hashlib.sha256(repr((h.services, h.profiles)).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_a_different_seed_gives_a_different_history():
    config = RestaurantConfig.small()
    first = simulate_history(config, start=START, days=3, seed=3)
    other = simulate_history(config, start=START, days=3, seed=4)
    assert [v.seated_at for v in first.visits()] != [v.seated_at for v in other.visits()]
    assert [s.skill for s in first.restaurant.staff] != [s.skill for s in other.restaurant.staff]


def test_arrivals_of_a_day_depend_only_on_the_generator_given():
    config = RestaurantConfig.demo()
    one = generate_arrivals(config, date(2026, 3, 7), random.Random(1))
    two = generate_arrivals(config, date(2026, 3, 7), random.Random(1))
    assert one == two
    assert all(a.arrived_at <= b.arrived_at for a, b in zip(one, one[1:], strict=False) if a.day_part == b.day_part)


# --- realism ----------------------------------------------------------------------------------------------


def test_friday_and_saturday_dinners_are_busier_than_monday_lunch(demo_history):
    parties = Counter()
    for service in demo_history.services:
        for party in service.plan.arrivals:
            parties[(local(party.arrived_at).weekday(), party.day_part)] += 1
    monday_lunch = parties[(0, "lunch")] / 2
    assert parties[(4, "dinner")] / 2 > 3 * monday_lunch
    assert parties[(5, "dinner")] / 2 > 3 * monday_lunch
    assert parties[(5, "dinner")] > parties[(1, "dinner")]


def test_parties_are_mostly_twos_and_fours_with_a_plausible_mean(demo_history):
    sizes = [v.party_size for v in demo_history.visits()]
    assert 2.3 <= statistics.mean(sizes) <= 3.3
    counts = Counter(sizes)
    assert counts.most_common(1)[0][0] == 2
    assert (counts[2] + counts[4]) / len(sizes) > 0.55
    assert max(sizes) >= 7


def test_most_tips_are_between_15_and_22_percent(demo_history):
    rates = [float(v.tip / v.subtotal) for v in demo_history.visits() if v.subtotal > 0]
    within = sum(0.15 <= rate <= 0.22 for rate in rates) / len(rates)
    assert within > 0.75
    assert 0.16 < statistics.median(rates) < 0.21


def test_larger_parties_stay_longer(demo_history):
    turns: dict[str, list[float]] = {"small": [], "medium": [], "large": []}
    for visit in demo_history.visits():
        if visit.day_part == "dinner":
            key = "small" if visit.party_size <= 2 else "medium" if visit.party_size <= 4 else "large"
            turns[key].append(visit.turn_minutes)
    medians = {key: statistics.median(values) for key, values in turns.items()}
    assert medians["small"] < medians["medium"] < medians["large"]
    assert 50 < medians["small"] < 80


def test_skilled_servers_sell_more_per_cover_and_earn_higher_tips(demo_history):
    sales, covers, tips = Counter(), Counter(), Counter()
    for visit in demo_history.visits():
        sales[visit.server] += float(visit.subtotal)
        covers[visit.server] += visit.party_size
        tips[visit.server] += float(visit.tip)
    staff = demo_history.restaurant.staff
    servers = [s for s in covers if covers[s] > 50]
    skills = [staff[s].skill for s in servers]
    assert statistics.correlation(skills, [sales[s] / covers[s] for s in servers]) > 0.5
    assert statistics.correlation(skills, [tips[s] / sales[s] for s in servers]) > 0.3


def test_dining_time_grows_with_the_party_and_shrinks_at_lunch_and_with_skill():
    config = RestaurantConfig.demo()
    assert dining_minutes(config, 2) < dining_minutes(config, 4) < dining_minutes(config, 8)
    assert dining_minutes(config, 4, day_part="lunch") < dining_minutes(config, 4, day_part="dinner")
    assert dining_minutes(config, 4, skill=0.9) < dining_minutes(config, 4, skill=0.1)


def test_no_server_works_two_overlapping_shifts(demo_history):
    shifts = sorted(demo_history.shifts(), key=lambda s: (s.staff, s.clock_in))
    for _, mine in groupby(shifts, key=lambda s: s.staff):
        mine = list(mine)
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert earlier.clock_out <= later.clock_in


def test_no_table_has_two_overlapping_visits(demo_history):
    visits = sorted(demo_history.visits(), key=lambda v: (v.table, v.seated_at))
    for _, mine in groupby(visits, key=lambda v: v.table):
        mine = list(mine)
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert earlier.closed_at <= later.seated_at


def test_servers_are_seated_only_while_on_the_floor(demo_history):
    for service in demo_history.services:
        shifts = {s.staff: s for s in service.shifts}
        for visit in service.visits:
            shift = shifts[visit.server]
            assert shift.accept_from <= visit.seated_at < shift.cut_at
            assert not any(b.started_at <= visit.seated_at < b.ended_at for b in shift.breaks)
            assert shift.clock_out >= visit.closed_at


def test_tables_are_bussed_between_parties(demo_history):
    states = Counter((c.from_state, c.to_state) for s in demo_history.services for c in s.state_changes)
    assert set(states) == {("available", "occupied"), ("occupied", "dirty"), ("dirty", "available")}
    assert states[("occupied", "dirty")] == states[("dirty", "available")] == len(demo_history.visits())


def test_waiting_parties_get_quotes_and_some_give_up(demo_history):
    entries = demo_history.waitlist()
    statuses = Counter(e.status for e in entries)
    assert statuses["seated"] > statuses["cancelled"] > 0
    seated = [e for e in entries if e.status == "seated"]
    assert all(e.quoted_wait_minutes >= 5 and e.quoted_wait_minutes % 5 == 0 for e in entries)
    assert all(e.added_at <= e.notified_at <= e.seated_at for e in seated)


def test_staffing_follows_approved_time_off_and_every_role_is_scheduled(demo_history):
    days_off = {
        (t.staff, t.start_date + timedelta(days=n))
        for t in demo_history.profiles.time_off
        if t.status == "approved"
        for n in range((t.end_date - t.start_date).days + 1)
    }
    shifts = demo_history.shifts()
    assert not [s for s in shifts if (s.staff, local(s.clock_in).date()) in days_off]
    assert {s.role for s in shifts} == {"server", "bartender", "host", "busser", "runner"}


def test_profiles_are_consistent_with_the_restaurant(demo_history):
    keys = {p.key for p in demo_history.config.day_parts}
    for preference in demo_history.profiles.preferences:
        assert preference.min_hours <= preference.max_hours <= 40
        assert set(preference.day_parts) <= keys
    for window in demo_history.profiles.availability:
        assert window.start < window.end
    for requirement in demo_history.requirements:
        assert requirement.min_staff <= requirement.target_staff <= requirement.max_staff
        assert requirement.day_part in keys


# --- floor plan and staff ---------------------------------------------------------------------------------


def test_demo_floor_has_every_kind_of_table_laid_out_without_overlap():
    config = RestaurantConfig.demo()
    sections, tables = build_floor(config)
    assert 30 <= len(tables) <= 60
    assert len({t.label for t in tables}) == len(tables)
    assert {t.max_seats for t in tables} >= {2, 4, 6, 8, 10}
    for flag in ("is_booth", "is_patio", "is_high_top"):
        assert any(getattr(t, flag) for t in tables)
    assert any(t.is_accessible for t in tables) and not all(t.is_accessible for t in tables)
    assert any(t.shape == "round" for t in tables) and any(t.rotation for t in tables)
    groups = Counter(t.combinable_group for t in tables if t.combinable_group)
    assert groups and all(count == 2 for count in groups.values())

    def box(x, y, w, h):
        return (x, y, x + w, y + h)

    def overlap(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    regions = [box(*s.region) for s in sections]
    assert not any(overlap(a, b) for a, b in combinations(regions, 2))
    footprints = []
    for table in tables:
        w, h = rotated_bbox(table.width, table.height, table.rotation)
        cx, cy = table.x + table.width / 2, table.y + table.height / 2
        footprint = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        region = regions[table.section]
        assert region[0] <= footprint[0] and footprint[2] <= region[2]
        assert region[1] <= footprint[1] and footprint[3] <= region[3]
        footprints.append(footprint)
    assert not any(overlap(a, b) for a, b in combinations(footprints, 2))


def test_demo_staff_covers_every_role_with_a_spread_of_skills(demo_history):
    staff = demo_history.restaurant.staff
    assert 20 <= len(staff) <= 30
    assert {s.role for s in staff} == {"server", "bartender", "host", "busser", "runner"}
    server_skills = [s.skill for s in staff if s.role == "server"]
    assert max(server_skills) - min(server_skills) > 0.5
    assert len({s.name for s in staff}) == len(staff)


# --- the service in progress ------------------------------------------------------------------------------


def test_history_stops_at_now_in_the_middle_of_a_service(small_live_history):
    now = FRIDAY_EVENING.astimezone(UTC)
    history = small_live_history
    assert all(v.seated_at < now for v in history.visits())
    open_visits = [v for v in history.visits() if v.closed_at is None]
    assert open_visits and all(v.tip == 0 and all(i.ordered_at < now for i in v.items) for v in open_visits)
    states = Counter(state for state, _ in history.table_states)
    assert states["occupied"] == len(open_visits)
    assert {history.table_states[v.table][0] for v in open_visits} == {"occupied"}
    open_shifts = [s for s in history.shifts() if s.clock_out is None]
    assert {s.role for s in open_shifts} >= {"server", "host", "busser"}
    assert len({s.staff for s in open_shifts}) == len(open_shifts)
    waiting = [e for e in history.waitlist() if e.status in ("waiting", "notified")]
    assert 1 <= len(waiting) <= 8 and all(e.seated_at is None and e.quoted_wait_minutes for e in waiting)


def test_a_quiet_hour_still_ends_in_a_service_in_progress():
    four_am = datetime(2026, 3, 10, 4, 0, tzinfo=NY)
    history = simulate_history(RestaurantConfig.small(), start=START, days=9, seed=2, now=four_am)
    last = history.services[-1]
    assert "live" in last.plan.day_parts
    assert any(v.closed_at is None for v in last.visits)
    assert any(s.clock_out is None and s.role == "server" for s in last.shifts)


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="aware"):
        simulate_history(RestaurantConfig.small(), start=START, days=1, seed=1, now=datetime(2026, 3, 2, 20, 0))


# --- replays and policies ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def friday_dinner():
    return plan_service(RestaurantConfig.demo(), date(2026, 3, 13), day_part="dinner", seed=4)


def test_replaying_a_plan_is_repeatable_and_leaves_the_plan_unchanged(friday_dinner):
    arrivals = list(friday_dinner.arrivals)
    first = replay_service(friday_dinner)
    second = replay_service(friday_dinner)
    assert first.visits == second.visits
    assert friday_dinner.arrivals == arrivals
    assert all(s.clock_out is None for s in friday_dinner.shifts)


def test_another_policy_sees_the_same_guests_and_seats_them_differently(friday_dinner):
    rotation = replay_service(friday_dinner, rotation_host_policy)
    baseline = replay_service(friday_dinner, random_policy(seed=1))
    assert len(friday_dinner.arrivals) > 80
    assert [v.server for v in rotation.visits] != [v.server for v in baseline.visits]
    for result in (rotation, baseline):
        figures = service_metrics(result)
        assert figures.parties == len(friday_dinner.arrivals)
        assert 0 <= figures.covers_per_server_hour_gini < 1
        assert 0 < figures.table_utilisation < 1
        assert figures.quote_mae_minutes is None or figures.quote_mae_minutes >= 0


def test_a_policy_choosing_a_taken_table_is_refused(friday_dinner):
    def stubborn(state, party):
        server = next(s for s in state.servers if s.accepting)
        return Seating((0,), server.id)  # the same table for everyone

    with pytest.raises(InvalidSeating, match="not available|does not fit"):
        replay_service(friday_dinner, stubborn)


def test_a_party_too_big_for_any_table_gets_a_combinable_pair():
    config = RestaurantConfig.small()
    plan = plan_service(config, date(2026, 3, 14), day_part="dinner", seed=1)
    plan.arrivals = [
        *plan.arrivals[:5],
        replace(plan.arrivals[5], size=8, preferences=()),
    ]
    result = replay_service(plan)
    joined = [v for v in result.visits if v.joined_tables]
    tables = plan.restaurant.tables
    assert len(joined) == 1 and joined[0].party_size == 8
    pair = [tables[i] for i in joined[0].tables]
    assert len({t.combinable_group for t in pair}) == 1 and sum(t.max_seats for t in pair) >= 8
