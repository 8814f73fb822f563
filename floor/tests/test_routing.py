"""The routing engine through the routing service: hard rules, table fit, the double-seat penalty,
combined tables, reasons, decisions, validation and the query budget (each mode's server order is in
test_server_order.py, seat next in test_seat_next.py).

Over 400 lines: every rule of one ranking, each with its own small floor; split by subject already."""

import random

import pytest

from floor.engine.floor import FloorTable
from floor.engine.routing import rank_seatings
from floor.exceptions import InvalidFloorInput, WaitlistEntryClosed, WrongRestaurant
from floor.models import RoutingDecision, TableState, WaitlistStatus
from floor.services.routing import routing_mode_set
from floor.tests.factories import SectionFactory, WaitlistEntryFactory
from floor.tests.routing_floor import ago, build_floor, classic_floor, labels, route, snapshot, spot_server
from restaurant.models import RoutingMode
from staff.models import Shift, ShiftBreak, StaffRole


@pytest.fixture
def floor(restaurant):
    return classic_floor(restaurant)


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


@pytest.mark.django_db
@pytest.mark.parametrize(("n_tables", "n_servers"), [(10, 3), (60, 15)])
def test_routing_reads_a_fixed_number_of_queries_whatever_the_floor_size(
    restaurant, django_assert_num_queries, n_tables, n_servers
):
    build_floor(restaurant, n_tables, n_servers)

    # The queue (for the table mix; nobody waits here); sections, tables, shifts on the floor, visits of the
    # shift; then the decision's insert.
    with django_assert_num_queries(6):
        result = route(restaurant, 4)
    with django_assert_num_queries(5):
        route(restaurant, 6, record=False)

    assert result.recommendations


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
