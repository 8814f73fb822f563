"""The routing engine: hard rules, table fit, each mode's server order, host overrides, the
double-seat penalty, combined tables, reasons, decisions and the query budget."""

import random
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from floor.engine.floor import FloorSnapshot, FloorTable, RoutingConfig
from floor.engine.routing import rank_seatings
from floor.engine.server_order import server_order
from floor.exceptions import InvalidFloorInput, WaitlistEntryClosed, WrongRestaurant
from floor.models import RoutingDecision, TableState, Visit, WaitlistStatus
from floor.selectors import floor_snapshot, load_turn_model
from floor.services.routing import route_next_party, route_party, routing_mode_set
from floor.services.seating import table_seat
from floor.tests.engine_floor import floor_server
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from restaurant.models import RoutingMode
from staff.models import Shift, ShiftBreak, StaffRole, Tier
from staff.tests.factories import ShiftFactory, StaffMemberFactory

NOW = datetime(2026, 3, 6, 19, 0, tzinfo=ZoneInfo("America/New_York"))


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


class Floor:
    """Builds a floor in the database: sections, tables, servers on shift and their parties."""

    def __init__(self, restaurant):
        self.restaurant = restaurant
        self.sections = {}

    def section(self, name):
        if name not in self.sections:
            self.sections[name] = SectionFactory(restaurant=self.restaurant, name=name)
        return self.sections[name]

    def table(self, label, seats, *, section="Main", min_seats=1, **fields):
        return TableFactory(
            restaurant=self.restaurant,
            section=self.section(section),
            label=label,
            min_seats=min_seats,
            max_seats=seats,
            **fields,
        )

    def server(self, name, *, section="Main", clocked_in=180, role=StaffRole.SERVER, tier=Tier.STANDARD, **shift):
        staff = StaffMemberFactory(restaurant=self.restaurant, name=name, role=role, tier=tier)
        ShiftFactory(
            staff=staff,
            restaurant=self.restaurant,
            role=role,
            section=self.section(section) if section else None,
            clock_in=ago(clocked_in),
            **shift,
        )
        return staff

    def seat(self, table, server, party_size, *, minutes_ago, closed=False):
        visit = Visit.objects.create(
            restaurant=self.restaurant,
            table=table,
            server=server,
            party_size=party_size,
            seated_at=ago(minutes_ago),
            closed_at=ago(minutes_ago - 1) if closed else None,
        )
        if not closed:
            table.state = TableState.OCCUPIED
            table.save(update_fields=["state"])
        return visit


@pytest.fixture
def floor(restaurant):
    # The classic rules (rotation by turns, no pacing, no table mix, no load, no lending); the busy-night
    # rules are pinned in test_busy_rules.py.
    restaurant.routing_settings = {
        "rotation_basis": "turns",
        "pacing_minutes": 0,
        "table_mix_minutes": 0,
        "overload_penalty": 0,
        "borrow_tables": False,
    }
    restaurant.save(update_fields=["routing_settings"])
    return Floor(restaurant)


def route(restaurant, party_size, **kwargs):
    kwargs.setdefault("now", NOW)
    return route_party(restaurant=restaurant, party_size=party_size, **kwargs)


def labels(result):
    return ["+".join(rec.table_labels) for rec in result.recommendations]


# -- pure snapshots for the mode orderings ---------------------------------------------------------


def spot_server(staff_id, name, **fields):
    return floor_server(staff_id, name, now=NOW, **fields)


def snapshot(servers, tables=None, *, mode=RoutingMode.ROTATION, **config):
    tables = tables or [FloorTable(id=1, label="1", section_id=1, min_seats=1, max_seats=4)]
    return FloorSnapshot(
        now=NOW,
        mode=mode,
        config=RoutingConfig(**config),
        tables=tuple(tables),
        servers=tuple(servers),
        section_names={1: "Main", 2: "Patio"},
    )


def order_names(snap, party_size=4):
    return [standing.server.name for standing in server_order(snap, party_size=party_size)]


# == hard rules ====================================================================================


@pytest.mark.django_db
def test_only_available_active_tables_are_recommended(restaurant, floor):
    floor.server("Ana")
    for label, state in [("occ", TableState.OCCUPIED), ("dirty", TableState.DIRTY), ("res", TableState.RESERVED)]:
        floor.table(label, 4, state=state)
    floor.table("blocked", 4, state=TableState.BLOCKED)
    floor.table("retired", 4, active=False)
    floor.table("free", 4)

    assert labels(route(restaurant, 4)) == ["free"]


@pytest.mark.django_db
def test_table_with_an_open_visit_is_not_free_even_if_marked_available(restaurant, floor):
    ana = floor.server("Ana")
    stale = floor.table("stale", 4)
    floor.seat(stale, ana, 2, minutes_ago=30)
    stale.state = TableState.AVAILABLE
    stale.save(update_fields=["state"])
    floor.table("free", 4)

    assert labels(route(restaurant, 4)) == ["free"]


@pytest.mark.django_db
def test_party_must_fit_between_min_and_max_seats(restaurant, floor):
    floor.server("Ana")
    floor.table("big", 8, min_seats=5)
    floor.table("four", 4, min_seats=2)
    floor.table("two", 2)

    assert labels(route(restaurant, 3)) == ["four"]
    assert labels(route(restaurant, 1)) == ["two"]
    assert labels(route(restaurant, 6)) == ["big"]


@pytest.mark.django_db
def test_tables_in_a_section_with_no_server_are_not_recommended(restaurant, floor):
    floor.server("Ana", section="Main")
    floor.table("patio-1", 4, section="Patio")
    floor.table("main-1", 6, section="Main")

    assert labels(route(restaurant, 4)) == ["main-1"]


@pytest.mark.django_db
def test_the_reason_names_sections_with_free_tables_but_no_server(restaurant, floor):
    floor.server("Ana", section="Main")
    floor.table("patio-1", 4, section="Patio")

    result = route(restaurant, 4)

    assert result.recommendations == []
    assert result.reason == "free tables for 4 are in sections with no server (Patio)"


@pytest.mark.django_db
def test_a_server_on_break_takes_no_party(restaurant, floor):
    ana = floor.server("Ana")
    floor.server("Ben")
    floor.table("1", 4)
    ShiftBreak.objects.create(shift=Shift.objects.get(staff=ana), started_at=ago(10))

    assert [rec.server_name for rec in route(restaurant, 4).recommendations] == ["Ben"]


@pytest.mark.django_db
def test_a_finished_break_puts_the_server_back_on_the_floor(restaurant, floor):
    ana = floor.server("Ana")
    floor.table("1", 4)
    ShiftBreak.objects.create(shift=Shift.objects.get(staff=ana), started_at=ago(40), ended_at=ago(10))

    assert [rec.server_name for rec in route(restaurant, 4).recommendations] == ["Ana"]


@pytest.mark.django_db
def test_a_cut_server_takes_no_new_party(restaurant, floor):
    floor.server("Ana", cut=True)
    floor.server("Ben")
    floor.table("1", 4)

    assert [rec.server_name for rec in route(restaurant, 4).recommendations] == ["Ben"]


@pytest.mark.django_db
def test_clocked_out_servers_and_other_roles_take_no_party(restaurant, floor):
    floor.server("Gone", clock_out=ago(5))
    floor.server("Hal", role=StaffRole.HOST)
    floor.server("Bo", role=StaffRole.BUSSER)
    floor.table("1", 4)

    result = route(restaurant, 4)

    assert result.recommendations == []
    assert result.reason == "no server on the floor"


@pytest.mark.django_db
def test_a_server_clocked_in_without_a_section_covers_every_section(restaurant, floor):
    floor.server("Flo", section=None)
    floor.table("patio-1", 4, section="Patio")
    floor.table("main-1", 4, section="Main")

    result = route(restaurant, 4)

    assert sorted(labels(result)) == ["main-1", "patio-1"]
    assert {rec.server_name for rec in result.recommendations} == {"Flo"}
    assert "covers every section" in result.recommendations[0].reason


@pytest.mark.django_db
def test_an_accessible_table_is_required_when_the_party_asks(restaurant, floor):
    floor.server("Ana")
    floor.table("stairs", 4, is_accessible=False)
    floor.table("ramp", 6)

    assert labels(route(restaurant, 4, preferences={"accessible": True})) == ["ramp"]
    assert labels(route(restaurant, 4)) == ["stairs", "ramp"]


@pytest.mark.django_db
def test_no_accessible_table_gives_a_reason_saying_so(restaurant, floor):
    floor.server("Ana")
    floor.table("stairs", 4, is_accessible=False)

    result = route(restaurant, 4, preferences={"accessible": True})

    assert result.recommendations == []
    assert result.reason == "no free accessible table for 4"


# == table fit and preferences =====================================================================


@pytest.mark.django_db
def test_fewest_wasted_seats_come_first(restaurant, floor):
    floor.server("Ana")
    floor.table("six", 6)
    floor.table("two", 2)
    floor.table("four", 4)

    result = route(restaurant, 2)

    assert labels(result) == ["two", "four", "six"]
    assert [rec.breakdown["table_fit"] for rec in result.recommendations] == [0, -40, -80]


@pytest.mark.django_db
def test_a_requested_feature_decides_between_equal_fits(restaurant, floor):
    floor.server("Ana")
    floor.table("plain", 4)
    floor.table("booth", 4, is_booth=True)

    result = route(restaurant, 4, preferences={"feature": "booth"})

    assert labels(result) == ["booth", "plain"]
    assert result.recommendations[0].breakdown["preference"] == 15
    assert "booth as asked" in result.recommendations[0].reason
    assert "booth not available" in result.recommendations[1].reason


@pytest.mark.django_db
def test_a_requested_section_decides_between_equal_fits(restaurant, floor):
    floor.server("Ana", section="Main")
    floor.server("Pat", section="Patio")
    floor.table("main-1", 4, section="Main")
    floor.table("patio-1", 4, section="Patio")
    patio = floor.sections["Patio"]

    result = route(restaurant, 4, preferences={"section_id": patio.pk})

    assert result.recommendations[0].table_labels == ["patio-1"]
    assert "in Patio as asked" in result.recommendations[0].reason


@pytest.mark.django_db
def test_an_exact_fit_still_beats_a_wish_that_wastes_seats(restaurant, floor):
    floor.server("Ana")
    floor.table("four", 4)
    floor.table("booth-six", 6, is_booth=True)

    assert labels(route(restaurant, 4, preferences={"feature": "booth"})) == ["four", "booth-six"]


@pytest.mark.django_db
def test_a_waitlist_entry_brings_its_preferences(restaurant, floor):
    floor.server("Ana")
    floor.table("stairs", 4, is_accessible=False)
    floor.table("ramp", 4)
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=4, preferences={"accessible": True})

    assert labels(route(restaurant, 4, waitlist_entry=entry)) == ["ramp"]


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


# == double seat ===================================================================================


@pytest.mark.django_db
def test_a_server_seated_within_the_window_is_penalised(restaurant, floor):
    floor.table("1", 4, section="Main")
    floor.table("10", 8, section="Main", state=TableState.BLOCKED)
    floor.table("2", 4, section="Bar")
    ana = floor.server("Ana", section="Main", clocked_in=200)
    ben = floor.server("Ben", section="Bar", clocked_in=100)
    floor.seat(floor.table("9", 2, section="Main"), ana, 2, minutes_ago=2)
    floor.seat(floor.table("8", 4, section="Bar"), ben, 4, minutes_ago=30)
    # Ana has the lighter load (2 covers on 14 seats against 4 on 8): only the penalty moves her down.
    restaurant.routing_mode = RoutingMode.BALANCED

    result = route(restaurant, 4)

    assert [rec.server_name for rec in result.recommendations] == ["Ben", "Ana"]
    assert result.recommendations[1].breakdown["double_seat"] == -30
    assert "double seat" in result.recommendations[1].reason


@pytest.mark.django_db
def test_a_penalised_server_is_still_offered_when_they_are_the_only_one(restaurant, floor):
    floor.table("1", 4)
    ana = floor.server("Ana")
    floor.seat(floor.table("9", 2), ana, 2, minutes_ago=1)

    result = route(restaurant, 4)

    assert [rec.server_name for rec in result.recommendations] == ["Ana"]
    assert result.recommendations[0].breakdown["double_seat"] == -30


def test_the_window_and_penalty_are_the_restaurants_settings():
    servers = [spot_server(1, "Ana", last_seated=6)]
    tables = [FloorTable(id=1, label="1", section_id=1, min_seats=1, max_seats=4)]

    default = rank_seatings(snapshot(servers, tables), party_size=4).recommendations[0]
    wider = rank_seatings(
        snapshot(servers, tables, double_seat_window_minutes=10, double_seat_penalty=45), party_size=4
    ).recommendations[0]

    assert default.breakdown["double_seat"] == 0
    assert wider.breakdown["double_seat"] == -45


# == combined tables ===============================================================================


@pytest.mark.django_db
def test_a_party_larger_than_any_table_gets_a_combinable_group(restaurant, floor):
    floor.server("Ana")
    for label, seats in [("A1", 4), ("A2", 4), ("A3", 6)]:
        floor.table(label, seats, combinable_group="A")
    floor.table("solo", 4)

    result = route(restaurant, 10)

    top = result.recommendations[0]
    assert top.table_labels == ["A1", "A3"]
    assert top.seats == 10
    assert top.breakdown["combination"] == -10
    assert top.reason.startswith("Tables A1+A3 (pushed together, 10 seats, exact fit)")


@pytest.mark.django_db
def test_combined_tables_must_be_free_and_in_one_section(restaurant, floor):
    ana = floor.server("Ana", section="Main")
    floor.server("Pat", section="Patio")
    a1 = floor.table("A1", 4, combinable_group="A", section="Main")
    floor.table("A2", 4, combinable_group="A", section="Main")
    floor.table("A3", 4, combinable_group="A", section="Patio")
    floor.seat(a1, ana, 2, minutes_ago=20)

    result = route(restaurant, 8)

    assert result.recommendations == []
    assert result.reason == "no free table for 8"


@pytest.mark.django_db
def test_tables_are_not_pushed_together_when_one_table_fits(restaurant, floor):
    floor.server("Ana")
    floor.table("A1", 4, combinable_group="A")
    floor.table("A2", 4, combinable_group="A")
    floor.table("eight", 8)

    assert labels(route(restaurant, 7)) == ["eight"]


# == empty answers =================================================================================


@pytest.mark.django_db
def test_empty_answers_say_why(restaurant, floor):
    assert route(restaurant, 2).reason == "no tables are set up"
    floor.table("1", 4)
    floor.table("2", 8)
    assert route(restaurant, 2).reason == "no server on the floor"
    ana = floor.server("Ana")
    ShiftBreak.objects.create(shift=Shift.objects.get(staff=ana), started_at=ago(5))
    assert route(restaurant, 2).reason == "every server on the floor is on break"
    Shift.objects.filter(staff=ana).update(cut=True)
    ShiftBreak.objects.all().delete()
    assert route(restaurant, 2).reason == "every server on the floor is cut"
    Shift.objects.filter(staff=ana).update(cut=False)
    assert route(restaurant, 20).reason == "no table or combination of tables seats 20 (largest table: 8)"
    floor.seat(restaurant.tables.get(label="2"), ana, 7, minutes_ago=5)
    assert route(restaurant, 7).reason == "no free table for 7"


# == determinism, reasons, decisions, validation ===================================================


@pytest.mark.django_db
def test_the_same_floor_gives_the_same_answer(restaurant, floor):
    for i in range(8):
        floor.table(f"T{i}", 2 + 2 * (i % 3), section="Main" if i % 2 else "Patio")
    floor.server("Ana", section="Main")
    floor.server("Ben", section="Patio")
    floor.server("Cy", section=None)

    first = route(restaurant, 4, record=False).as_dict()
    second = route(restaurant, 4, record=False).as_dict()

    assert first == second
    assert len(first["recommendations"]) == 5


def test_ranking_does_not_depend_on_the_order_rows_arrive_in():
    tables = [FloorTable(id=i, label=str(i), section_id=1 + i % 2, min_seats=1, max_seats=4) for i in range(1, 9)]
    servers = [spot_server(i, f"S{i}", section_id=1 + i % 2, last_seated=30) for i in range(1, 5)]
    shuffled_tables, shuffled_servers = tables[:], servers[:]
    random.Random(7).shuffle(shuffled_tables)
    random.Random(8).shuffle(shuffled_servers)

    a = rank_seatings(snapshot(servers, tables), party_size=3, limit=8)
    b = rank_seatings(snapshot(shuffled_servers, shuffled_tables), party_size=3, limit=8)

    assert [r.as_dict() for r in a.recommendations] == [r.as_dict() for r in b.recommendations]


@pytest.mark.django_db
def test_the_reason_reads_like_a_host_would_say_it(restaurant, floor):
    ana = floor.server("Ana Lopez", clocked_in=240)
    ben = floor.server("Ben Ray", clocked_in=200)
    floor.table("12", 4)
    floor.seat(floor.table("3", 6), ana, 6, minutes_ago=18)
    floor.seat(floor.table("5", 2), ben, 2, minutes_ago=3)

    top = route(restaurant, 4).recommendations[0]

    assert top.reason == "Table 12 (4-top, exact fit) with Ana: next in rotation, last seated 18 min ago, 6 covers now"


@pytest.mark.django_db
def test_the_score_is_the_sum_of_its_breakdown(restaurant, floor):
    floor.server("Ana")
    floor.server("Ben")
    floor.table("1", 6, is_patio=True)
    floor.table("2", 4)

    for rec in route(restaurant, 4, preferences={"feature": "patio"}).recommendations:
        assert rec.score == pytest.approx(sum(rec.breakdown.values()))


@pytest.mark.django_db
def test_a_routing_decision_is_recorded(restaurant, floor, host_user):
    ana = floor.server("Ana")
    table = floor.table("1", 4)
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=4)

    result = route(restaurant, 4, waitlist_entry=entry, requested_by=host_user)

    decision = RoutingDecision.objects.get(pk=result.decision_id)
    assert decision.restaurant == restaurant
    assert decision.mode == RoutingMode.ROTATION
    assert (decision.recommended_table, decision.recommended_server) == (table, ana)
    assert decision.recommendations == [rec.as_dict() for rec in result.recommendations]
    assert decision.recommendations[0]["table_id"] == table.pk
    assert (decision.waitlist_entry, decision.requested_by, decision.party_size) == (entry, host_user, 4)


@pytest.mark.django_db
def test_an_empty_answer_is_recorded_too_and_record_false_writes_nothing(restaurant, floor):
    floor.table("1", 4)

    recorded = route(restaurant, 4)
    unrecorded = route(restaurant, 4, record=False)

    decision = RoutingDecision.objects.get()
    assert decision.pk == recorded.decision_id
    assert decision.recommendations == [] and decision.recommended_table is None
    assert unrecorded.decision_id is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("party_size", "preferences", "field"),
    [
        (0, None, "party_size"),
        ("4", None, "party_size"),
        (4, {"view": "sea"}, "preferences"),
        (4, {"feature": "window"}, "preferences.feature"),
        (4, {"accessible": "yes"}, "preferences.accessible"),
        (4, {"section_id": 999999}, "preferences.section_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(restaurant, floor, party_size, preferences, field):
    floor.table("1", 4)

    with pytest.raises(InvalidFloorInput) as caught:
        route(restaurant, party_size, preferences=preferences)

    assert caught.value.field == field
    assert not RoutingDecision.objects.exists()


@pytest.mark.django_db
def test_another_restaurants_section_or_entry_is_refused(restaurant, other_restaurant, floor):
    floor.table("1", 4)
    their_section = SectionFactory(restaurant=other_restaurant)
    their_entry = WaitlistEntryFactory(restaurant=other_restaurant)

    with pytest.raises(InvalidFloorInput):
        route(restaurant, 4, preferences={"section_id": their_section.pk})
    with pytest.raises(WrongRestaurant):
        route(restaurant, 4, waitlist_entry=their_entry)


@pytest.mark.django_db
def test_a_closed_waitlist_entry_cannot_be_routed(restaurant, floor):
    entry = WaitlistEntryFactory(restaurant=restaurant, status=WaitlistStatus.SEATED)

    with pytest.raises(WaitlistEntryClosed):
        route(restaurant, 2, waitlist_entry=entry)


# == query budget ==================================================================================


def _build_floor(restaurant, n_tables, n_servers):
    floor = Floor(restaurant)
    servers = [floor.server(f"S{i}", section=f"Sec{i % 5}", clocked_in=200 + i) for i in range(n_servers)]
    tables = [
        floor.table(f"T{i}", 2 + 2 * (i % 3), section=f"Sec{i % 5}", combinable_group=f"G{i % 4}")
        for i in range(n_tables)
    ]
    for i, table in enumerate(tables[: n_tables // 2]):
        floor.seat(table, servers[i % n_servers], 2, minutes_ago=10 + i)
    return floor


@pytest.mark.django_db
@pytest.mark.parametrize(("n_tables", "n_servers"), [(10, 3), (60, 15)])
def test_routing_reads_a_fixed_number_of_queries_whatever_the_floor_size(
    restaurant, django_assert_num_queries, n_tables, n_servers
):
    _build_floor(restaurant, n_tables, n_servers)

    # The queue (for the table mix; nobody waits here); sections, tables, shifts on the floor, visits of the
    # shift; then the decision's insert.
    with django_assert_num_queries(6):
        result = route(restaurant, 4)
    with django_assert_num_queries(5):
        route(restaurant, 6, record=False)

    assert result.recommendations


# == seat next: the first waiting party that fits =================================================


def wait(restaurant, name, size, *, minutes_ago, **fields):
    return WaitlistEntryFactory(
        restaurant=restaurant, party_name=name, party_size=size, added_at=ago(minutes_ago), **fields
    )


@pytest.fixture
def six_top_floor(floor):
    """One server; a 6-top and a 4-top free; nothing pushes together."""
    floor.server("Ana")
    return floor.table("6", 6), floor.table("4", 4)


@pytest.mark.django_db
def test_seat_next_skips_a_party_that_cannot_fit_and_answers_the_next_one(restaurant, six_top_floor, host_user):
    _, four = six_top_floor
    vance = wait(restaurant, "Vance", 9, minutes_ago=30)
    kim = wait(restaurant, "Kim", 4, minutes_ago=20)
    wait(restaurant, "Lee", 2, minutes_ago=10)

    result = route_next_party(restaurant=restaurant, now=NOW, requested_by=host_user)

    assert (result.entry, result.position) == (kim, 2)
    assert result.recommendations[0].table_ids == [four.pk]
    assert result.reason == ""
    assert [(p.waitlist_entry_id, p.reason) for p in result.passed_over] == [
        (vance.pk, "Vance (9): no table or combination of tables seats 9 (largest table: 6)")
    ]


@pytest.mark.django_db
def test_seat_next_says_what_is_free_when_a_party_waits_for_a_table_in_use(restaurant, floor):
    ana = floor.server("Ana")
    six = floor.table("6", 6)
    four = floor.table("4", 4)
    floor.seat(six, ana, 5, minutes_ago=40)
    wait(restaurant, "Vance", 6, minutes_ago=30)
    okafor = wait(restaurant, "Okafor", 3, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == okafor
    assert result.recommendations[0].table_ids == [four.pk]
    assert [p.reason for p in result.passed_over] == ["Vance (6): no free table for 6 — largest free is a 4-top"]


@pytest.mark.django_db
def test_when_nobody_on_the_list_fits_seat_next_answers_the_first_party_and_its_reason(restaurant, floor):
    ana = floor.server("Ana")
    floor.seat(floor.table("4", 4), ana, 4, minutes_ago=40)
    vance = wait(restaurant, "Vance", 4, minutes_ago=30)
    wait(restaurant, "Kim", 2, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert (result.entry, result.position, result.recommendations) == (vance, 1, [])
    assert result.reason == "no free table for 4 — no table is free"
    assert [p.reason for p in result.passed_over] == ["Kim (2): no free table for 2 — no table is free"]
    decision = RoutingDecision.objects.get(pk=result.decision_id)
    assert (decision.waitlist_entry, decision.recommendations) == (vance, [])


@pytest.mark.django_db
def test_seat_next_with_nobody_waiting_records_nothing(restaurant, six_top_floor):
    result = route_next_party(restaurant=restaurant, now=NOW)

    assert (result.entry, result.recommendations, result.reason) == (None, [], "nobody is waiting")
    assert not RoutingDecision.objects.exists()


@pytest.mark.django_db
def test_seat_next_records_one_decision_for_the_party_it_answers(restaurant, six_top_floor, host_user):
    _, four = six_top_floor
    wait(restaurant, "Vance", 9, minutes_ago=30)
    kim = wait(restaurant, "Kim", 4, minutes_ago=20, preferences={"section_id": four.section_id})

    result = route_next_party(restaurant=restaurant, now=NOW, requested_by=host_user)
    route_next_party(restaurant=restaurant, now=NOW, record=False)

    decision = RoutingDecision.objects.get()
    assert decision.pk == result.decision_id
    assert (decision.waitlist_entry, decision.party_size, decision.requested_by) == (kim, 4, host_user)
    assert decision.preferences == {"section_id": four.section_id}
    assert (decision.recommended_table, decision.recommendations) == (
        four,
        [r.as_dict() for r in result.recommendations],
    )


@pytest.mark.django_db
def test_seat_next_goes_by_the_list_order_and_keeps_an_accessible_need(restaurant, floor):
    floor.server("Ana")
    floor.table("4", 4, is_accessible=False)
    wait(restaurant, "Ruiz", 2, minutes_ago=30, preferences={"accessible": True})
    wait(restaurant, "Kim", 2, minutes_ago=10)  # added after Lee, though its row comes first
    earlier = wait(restaurant, "Lee", 3, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == earlier  # by the time they were added, not by id
    assert [p.reason for p in result.passed_over] == [
        "Ruiz (2): no free accessible table for 2 — no accessible table is free"
    ]


@pytest.mark.django_db
def test_seat_next_passes_over_closed_entries(restaurant, six_top_floor):
    wait(restaurant, "Gone", 4, minutes_ago=40, status=WaitlistStatus.CANCELLED)
    notified = wait(restaurant, "Called", 4, minutes_ago=30, status=WaitlistStatus.NOTIFIED)

    assert route_next_party(restaurant=restaurant, now=NOW).entry == notified


@pytest.mark.django_db
def test_seat_next_is_deterministic(restaurant, six_top_floor):
    for i in range(6):
        wait(restaurant, f"P{i}", 9 - i, minutes_ago=60 - i)

    answers = {
        (r.entry.pk, tuple(rec.table_id for rec in r.recommendations), tuple(p.reason for p in r.passed_over))
        for r in (route_next_party(restaurant=restaurant, now=NOW, record=False) for _ in range(3))
    }

    assert len(answers) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("waiting", [3, 30])
def test_seat_next_reads_a_fixed_number_of_queries_whatever_the_queue_length(
    restaurant, django_assert_num_queries, waiting
):
    _build_floor(restaurant, 20, 5)
    # Everyone but the last is too large for any table or combination: the whole list is walked.
    for i in range(waiting - 1):
        wait(restaurant, f"Big {i}", 40 + i, minutes_ago=100 - i)
    last = wait(restaurant, "Pair", 2, minutes_ago=1)

    load_turn_model(restaurant=restaurant, now=NOW)  # the table mix's quote model, cached as on a live floor
    # The queue; sections, tables, shifts on the floor, visits of the shift; the decision's insert.
    with django_assert_num_queries(6):
        result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == last
    assert len(result.passed_over) == waiting - 1


@pytest.mark.django_db
def test_seat_next_says_when_the_free_table_is_kept_for_larger_parties(restaurant, floor):
    floor.server("Ana")
    floor.table("10", 10, min_seats=7)
    wait(restaurant, "Parker", 5, minutes_ago=30)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.recommendations == []
    assert result.reason == "no free table for 5 — the free 10-top takes 7 to 10"


# == the routing mode ==============================================================================


@pytest.mark.django_db
def test_switching_the_mode_writes_it_and_the_same_mode_again_changes_nothing(
    restaurant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first:
        changed = routing_mode_set(restaurant=restaurant, mode=RoutingMode.PERFORMANCE)
    with django_capture_on_commit_callbacks() as again:
        unchanged = routing_mode_set(restaurant=restaurant, mode=RoutingMode.PERFORMANCE)

    restaurant.refresh_from_db()
    assert (changed, unchanged, restaurant.routing_mode) == (True, False, RoutingMode.PERFORMANCE)
    assert (len(first), len(again)) == (1, 0)  # announced once, after commit


@pytest.mark.django_db
def test_an_unknown_mode_is_refused_naming_the_field(restaurant):
    with pytest.raises(InvalidFloorInput) as refused:
        routing_mode_set(restaurant=restaurant, mode="fastest")

    restaurant.refresh_from_db()
    assert refused.value.field == "mode" and restaurant.routing_mode == RoutingMode.ROTATION
