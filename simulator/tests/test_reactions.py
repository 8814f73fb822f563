"""How servers react to the seating (simulator.reactions), and a policy's hold: no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from simulator.engine import Hold, Reactions, RestaurantConfig, Seating, plan_service, replay_service
from simulator.reactions import tier_of_skill

NOW = datetime(2026, 3, 13, 23, 0, tzinfo=UTC)


def test_a_double_seat_slows_the_turn_and_lowers_the_tip():
    reactions = Reactions()
    calm = reactions.effect(skill=0.5, seated_before=[NOW - timedelta(minutes=20)], open_tables=1, now=NOW)
    doubled = reactions.effect(skill=0.5, seated_before=[NOW - timedelta(minutes=2)], open_tables=1, now=NOW)
    tripled = reactions.effect(
        skill=0.5, seated_before=[NOW - timedelta(minutes=4), NOW - timedelta(minutes=1)], open_tables=2, now=NOW
    )
    assert calm == (1.0, 0.0)
    assert doubled == pytest.approx((1.08, 1.0))
    assert tripled == pytest.approx((1.16, 2.0))


@pytest.mark.parametrize("skill, capacity", [(0.2, 3), (0.5, 4), (0.9, 5)])
def test_a_server_carries_tables_by_tier_and_slows_beyond(skill, capacity):
    reactions = Reactions()
    assert reactions.capacity(skill) == capacity
    at_capacity = reactions.effect(skill=skill, seated_before=[], open_tables=capacity - 1, now=NOW)
    one_over = reactions.effect(skill=skill, seated_before=[], open_tables=capacity, now=NOW)
    assert at_capacity == (1.0, 0.0)
    assert one_over == pytest.approx((1.10, 1.0))
    assert tier_of_skill(skill) == {3: "developing", 4: "standard", 5: "strong"}[capacity]


def test_turns_are_never_more_than_one_and_a_half_times_longer():
    factor, _ = Reactions().effect(skill=0.2, seated_before=[NOW] * 3, open_tables=8, now=NOW)
    assert factor == 1.5


def _one_server_at_one_table(config):
    """A small Friday dinner cut to three couples arriving 0, 1 and 10 minutes after the first: the second
    is a double seat for the server who seats them all."""
    plan = plan_service(config, date(2026, 3, 13), day_part="dinner", seed=2)
    first = plan.arrivals[0].arrived_at
    plan.arrivals = [
        replace(p, size=2, preferences=(), arrived_at=first + timedelta(minutes=offset))
        for p, offset in zip(plan.arrivals[:3], (0, 1, 10), strict=True)
    ]
    return plan


def _greedy(state, party):
    server = min((s for s in state.servers if s.accepting and s.role == "server"), key=lambda s: s.id)
    table = next((t for t in state.tables if t.state == "available" and t.fits(party.size)), None)
    return Seating((table.id,), server.id) if table else None


def test_double_seated_parties_stay_longer_and_tip_less_than_without_reactions():
    config = RestaurantConfig.small()
    reacting = replay_service(_one_server_at_one_table(config), _greedy)
    plain = replay_service(_one_server_at_one_table(replace(config, reactions=Reactions.none())), _greedy)
    pairs = list(zip(reacting.visits, plain.visits, strict=True))
    assert [(a.seated_at, a.server) for a, _ in pairs] == [(b.seated_at, b.server) for _, b in pairs]
    assert [a.closed_at > b.closed_at for a, b in pairs] == [False, True, False]
    assert [a.tip < b.tip for a, b in pairs] == [False, True, False]


def test_a_hold_makes_the_host_look_again_at_the_time_asked():
    config = RestaurantConfig.small()
    plan = plan_service(config, date(2026, 3, 13), day_part="dinner", seed=2)
    plan.arrivals = [replace(plan.arrivals[0], size=2, preferences=())]
    asked: list[datetime] = []

    def hold_three_minutes(state, party):
        asked.append(state.now)
        if state.now < party.arrived_at + timedelta(minutes=3):
            return Hold(until=party.arrived_at + timedelta(minutes=3))
        return _greedy(state, party)

    result = replay_service(plan, hold_three_minutes)
    assert result.visits[0].seated_at == plan.arrivals[0].arrived_at + timedelta(minutes=3)
    assert asked[-1] == result.visits[0].seated_at
