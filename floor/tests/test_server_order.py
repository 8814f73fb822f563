"""Whose turn it is: each mode's server order on pure snapshots, and the host's overrides (skip once, move
in the rotation) as the routing service reads them from the shift."""

from dataclasses import replace

import pytest

from floor.engine.floor import FloorTable
from floor.engine.server_order import server_order
from floor.selectors import floor_snapshot
from floor.services.seating import table_seat
from floor.tests.routing_floor import NOW, classic_floor, route, snapshot, spot_server
from restaurant.models import RoutingMode
from staff.models import Tier


@pytest.fixture
def floor(restaurant):
    return classic_floor(restaurant)


# -- pure snapshots for the mode orderings ---------------------------------------------------------


def order_names(snap, party_size=4):
    return [standing.server.name for standing in server_order(snap, party_size=party_size)]


# == server order by mode ==========================================================================


@pytest.mark.parametrize(
    "servers, order",
    [
        ({"Ana": {"last_seated": 5}, "Ben": {"last_seated": 40}, "Cy": {"last_seated": 20}}, ["Ben", "Cy", "Ana"]),
        (
            {"Ana": {"last_seated": 20, "covers_shift": 14}, "Ben": {"last_seated": 20, "covers_shift": 6}},
            ["Ben", "Ana"],
        ),
        (
            {"Ana": {"last_seated": 90}, "Late": {"clocked_in": 10}, "Early": {"clocked_in": 60}},
            ["Early", "Late", "Ana"],
        ),
    ],
    ids=[
        "the server seated longest ago first",
        "ties broken by fewest covers this shift",
        "servers never seated first, in clock-in order",
    ],
)
def test_rotation_orders_the_servers(servers, order):
    snap = snapshot([spot_server(pk, name, **fields) for pk, (name, fields) in enumerate(servers.items(), start=1)])

    assert order_names(snap) == order


def test_balanced_mode_puts_the_lightest_load_for_its_section_first():
    tables = [
        FloorTable(id=1, label="1", section_id=1, min_seats=1, max_seats=24),
        FloorTable(id=2, label="2", section_id=2, min_seats=1, max_seats=8),
    ]
    snap = snapshot(
        [
            spot_server(1, "Ana", section_id=1, last_seated=5, covers_now=6),
            spot_server(2, "Ben", section_id=2, last_seated=50, covers_now=4),
        ],
        tables,
        mode=RoutingMode.BALANCED,
    )

    # Ana: 6 covers on 24 seats (0.25) is lighter than Ben's 4 on 8 (0.5), though Ben was seated longer ago.
    assert order_names(snap) == ["Ana", "Ben"]


def test_balanced_mode_splits_a_shared_section_between_its_servers():
    tables = [FloorTable(id=1, label="1", section_id=1, min_seats=1, max_seats=20)]
    snap = snapshot(
        [
            spot_server(1, "Ana", section_id=1, covers_now=6),
            spot_server(2, "Ben", section_id=1, covers_now=4),
        ],
        tables,
        mode=RoutingMode.BALANCED,
    )

    standings = server_order(snap, party_size=2)
    assert [(st.server.name, st.capacity) for st in standings] == [("Ben", 10.0), ("Ana", 10.0)]


def test_performance_mode_gives_large_parties_to_the_strong_tier_first():
    servers = [
        spot_server(1, "Dev", tier=Tier.DEVELOPING, covers_shift=2, last_seated=30),
        spot_server(2, "Std", tier=Tier.STANDARD, covers_shift=4, last_seated=30),
        spot_server(3, "Star", tier=Tier.STRONG, covers_shift=6, last_seated=30),
    ]
    snap = snapshot(servers, mode=RoutingMode.PERFORMANCE, large_party_size=6)

    assert order_names(snap, party_size=6) == ["Star", "Std", "Dev"]


def test_performance_mode_gives_the_strong_tier_more_covers_before_their_turn():
    servers = [
        spot_server(1, "Std", tier=Tier.STANDARD, covers_shift=10, last_seated=30),
        spot_server(2, "Star", tier=Tier.STRONG, covers_shift=12, last_seated=30),
        spot_server(3, "Dev", tier=Tier.DEVELOPING, covers_shift=8, last_seated=30),
    ]
    snap = snapshot(servers, mode=RoutingMode.PERFORMANCE)

    # Covers per tier share: Star 12/1.4 = 8.6, Std 10/1.0 = 10, Dev 8/0.7 = 11.4.
    assert order_names(snap, party_size=2) == ["Star", "Std", "Dev"]


def test_performance_mode_caps_the_covers_gap_so_nobody_starves():
    servers = [
        spot_server(1, "Star", tier=Tier.STRONG, covers_shift=12, last_seated=30),
        spot_server(2, "Dev", tier=Tier.DEVELOPING, covers_shift=4, last_seated=30),
    ]
    snap = snapshot(servers, mode=RoutingMode.PERFORMANCE, performance_covers_gap_cap=8, large_party_size=6)

    standings = server_order(snap, party_size=8)
    assert [(st.server.name, st.capped) for st in standings] == [("Dev", False), ("Star", True)]
    below_cap = snapshot(
        [replace(servers[0], covers_shift=11), servers[1]], mode=RoutingMode.PERFORMANCE, large_party_size=6
    )
    assert order_names(below_cap, party_size=8) == ["Star", "Dev"]


@pytest.mark.django_db
def test_route_party_follows_the_restaurants_mode(restaurant, floor):
    floor.table("1", 4, section="Main")
    floor.table("2", 4, section="Bar")
    busy = floor.server("Busy", section="Main", tier=Tier.STRONG)
    quiet = floor.server("Quiet", section="Bar")
    floor.seat(floor.table("9", 8, section="Main"), busy, 8, minutes_ago=60)
    floor.seat(floor.table("8", 2, section="Bar"), quiet, 2, minutes_ago=20)

    restaurant.routing_mode = RoutingMode.ROTATION
    assert route(restaurant, 4, record=False).recommendations[0].server_name == "Busy"
    restaurant.routing_mode = RoutingMode.BALANCED
    assert route(restaurant, 4, record=False).recommendations[0].server_name == "Quiet"
    floor.table("61", 6, section="Main")
    floor.table("62", 6, section="Bar")
    restaurant.routing_mode = RoutingMode.PERFORMANCE
    assert route(restaurant, 6, record=False).recommendations[0].server_name == "Busy"  # strong tier, large party
    assert route(restaurant, 4, record=False).recommendations[0].server_name == "Quiet"  # fewer weighted covers


# == host overrides ================================================================================


def test_a_skipped_server_goes_behind_everyone_for_one_party():
    snap = snapshot(
        [
            spot_server(1, "Ana", last_seated=50, skip_next=True),
            spot_server(2, "Ben", last_seated=30),
            spot_server(3, "Cy", last_seated=10),
        ]
    )

    assert order_names(snap) == ["Ben", "Cy", "Ana"]


def test_moving_a_server_up_or_down_shifts_their_place_in_rotation():
    servers = [spot_server(i, name, last_seated=50 - 10 * i) for i, name in enumerate(["Ana", "Ben", "Cy", "Di"])]

    up = [replace(s, rotation_offset=-2) if s.name == "Di" else s for s in servers]
    down = [replace(s, rotation_offset=1) if s.name == "Ana" else s for s in servers]

    assert order_names(snapshot(servers)) == ["Ana", "Ben", "Cy", "Di"]
    assert order_names(snapshot(up)) == ["Ana", "Di", "Ben", "Cy"]
    assert order_names(snapshot(down)) == ["Ben", "Ana", "Cy", "Di"]


@pytest.mark.django_db
def test_skip_and_move_come_from_the_shift_and_show_in_the_reason(restaurant, floor):
    for section in ("Main", "Bar", "Patio"):
        floor.table(section, 4, section=section)
    floor.server("Ana", section="Main", clocked_in=200, skip_next=True)
    floor.server("Ben", section="Bar", clocked_in=100, rotation_offset=1)
    floor.server("Cy", section="Patio", clocked_in=50)

    result = route(restaurant, 4, record=False)

    assert [st.server.name for st in rank_order(restaurant)] == ["Cy", "Ben", "Ana"]
    assert [rec.server_name for rec in result.recommendations] == ["Cy", "Ben", "Ana"]
    assert "moved down 1 by the host" in result.recommendations[1].reason
    assert "skipped once by the host" in result.recommendations[2].reason


def rank_order(restaurant):
    return server_order(floor_snapshot(restaurant=restaurant, now=NOW), party_size=4)


@pytest.mark.django_db
def test_a_skip_lasts_exactly_one_party(restaurant, floor):
    ana = floor.server("Ana", skip_next=True)
    ben = floor.server("Ben")
    floor.seat(floor.table("8", 2), ana, 2, minutes_ago=50)
    floor.seat(floor.table("9", 2), ben, 2, minutes_ago=30)
    table = floor.table("1", 4)
    floor.table("2", 4)

    first = route(restaurant, 4, limit=1)
    table_seat(restaurant=restaurant, table=table, party_size=4, server=ben, at=NOW)
    second = route(restaurant, 4, limit=1)

    assert first.recommendations[0].server_name == "Ben"
    assert second.recommendations[0].server_name == "Ana"
