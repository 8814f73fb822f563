"""Seating a party at one table and what follows: the table's and the server's rules, the waitlist entry and
the routing decision it seats, closing the check, clearing and bussing (tables pushed together for one
party: test_seating_joined.py).

Over 400 lines: the four seating services share one lock order (floor/services/seating.py), and their
tests read it whole."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from floor import exceptions as errors
from floor.models import TableState, TableStateChange, Visit, WaitlistStatus
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.tests.factories import WaitlistEntryFactory
from floor.tests.floor_setup import routing_decision, server_on_floor, table_in
from staff.models import Shift, StaffRole
from staff.tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(restaurant):
    return table_in(restaurant, label="12", min_seats=2, max_seats=4)


@pytest.fixture
def server(restaurant):
    return server_on_floor(restaurant)


def _nothing_written(table):
    table.refresh_from_db()
    return table.state == TableState.AVAILABLE and not Visit.objects.exists() and not TableStateChange.objects.exists()


def test_seating_opens_a_visit_and_marks_the_table_occupied(restaurant, table, server, host_user):
    visit = table_seat(restaurant=restaurant, table=table, party_size=4, server=server, actor=host_user)

    assert (visit.table, visit.server, visit.party_size, visit.closed_at) == (table, server, 4, None)
    assert table.state == TableState.OCCUPIED
    table.refresh_from_db()
    assert table.state == TableState.OCCUPIED
    change = TableStateChange.objects.get(table=table)
    assert (change.from_state, change.to_state, change.source, change.actor) == (
        "available",
        "occupied",
        "host",
        host_user,
    )


def test_a_reserved_table_can_be_seated(restaurant, server):
    table = table_in(restaurant, state=TableState.RESERVED)

    table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert TableStateChange.objects.get(table=table).from_state == TableState.RESERVED


def test_an_occupied_table_is_taken(restaurant, table, server):
    table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    with pytest.raises(errors.TableTaken) as err:
        table_seat(restaurant=restaurant, table=table, party_size=3, server=server)

    assert err.value.status_code == 409
    assert err.value.details["current_state"] == TableState.OCCUPIED
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("state", [TableState.DIRTY, TableState.BLOCKED])
def test_a_dirty_or_blocked_table_cannot_be_seated(restaurant, server, state):
    table = table_in(restaurant, state=state)

    with pytest.raises(errors.TableUnavailable) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert not isinstance(err.value, errors.TableTaken)
    assert err.value.details["current_state"] == state
    assert not Visit.objects.exists()


def test_a_table_out_of_service_cannot_be_seated(restaurant, server):
    table = table_in(restaurant, active=False)

    with pytest.raises(errors.TableUnavailable) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert "out of service" in err.value.message


@pytest.mark.parametrize("party_size", [1, 5])
def test_a_party_outside_the_tables_seats_does_not_fit(restaurant, table, server, party_size):
    with pytest.raises(errors.PartyDoesNotFit) as err:
        table_seat(restaurant=restaurant, table=table, party_size=party_size, server=server)

    assert (err.value.status_code, err.value.details["field"]) == (400, "party_size")
    assert (err.value.details["min_seats"], err.value.details["max_seats"]) == (2, 4)
    assert _nothing_written(table)


@pytest.mark.parametrize("party_size", [1, 5])
def test_a_host_may_insist_on_a_table_too_big_or_one_seat_short(restaurant, table, server, party_size):
    visit = table_seat(restaurant=restaurant, table=table, party_size=party_size, server=server, allow_misfit=True)

    assert visit.party_size == party_size


def test_even_a_host_cannot_seat_two_more_than_the_table_holds(restaurant, table, server):
    with pytest.raises(errors.PartyDoesNotFit):
        table_seat(restaurant=restaurant, table=table, party_size=6, server=server, allow_misfit=True)


@pytest.mark.parametrize("party_size", [0, -2, "4", True])
def test_a_party_size_that_is_not_a_positive_whole_number_is_refused(restaurant, table, server, party_size):
    with pytest.raises(errors.InvalidFloorInput) as err:
        table_seat(restaurant=restaurant, table=table, party_size=party_size, server=server)

    assert err.value.details["field"] == "party_size"


def test_a_server_not_clocked_in_cannot_take_a_party(restaurant, table):
    server = StaffMemberFactory(restaurant=restaurant)

    with pytest.raises(errors.NotOnFloor) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert (err.value.status_code, err.value.details["reason"]) == (409, "not_clocked_in")
    assert _nothing_written(table)


def test_a_server_who_clocked_out_cannot_take_a_party(restaurant, table):
    server = server_on_floor(restaurant)
    Shift.objects.filter(staff=server).update(clock_out=timezone.now())

    with pytest.raises(errors.NotOnFloor) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert err.value.details["reason"] == "not_clocked_in"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [({"on_break": True}, "on_break"), ({"cut": True}, "cut"), ({"role": StaffRole.HOST}, "role")],
)
def test_a_server_on_break_cut_or_working_another_role_cannot_take_a_party(restaurant, table, setup, reason):
    server = server_on_floor(restaurant, **setup)

    with pytest.raises(errors.NotOnFloor) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert err.value.details["reason"] == reason
    assert _nothing_written(table)


def test_a_bartender_on_the_floor_may_take_a_party(restaurant, table):
    bartender = server_on_floor(restaurant, role=StaffRole.BARTENDER)

    assert table_seat(restaurant=restaurant, table=table, party_size=2, server=bartender).server == bartender


def test_another_restaurants_server_is_refused(restaurant, other_restaurant, table):
    outsider = server_on_floor(other_restaurant)

    with pytest.raises(errors.WrongRestaurant) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=outsider)

    assert (err.value.status_code, err.value.details["field"]) == (400, "server")
    assert _nothing_written(table)


def test_another_restaurants_table_is_refused(restaurant, other_restaurant, server):
    table = table_in(other_restaurant)

    with pytest.raises(errors.WrongRestaurant) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert err.value.details["field"] == "table"


def test_seating_a_waitlist_entry_marks_it_seated(restaurant, table, server):
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=3, status=WaitlistStatus.NOTIFIED)
    at = timezone.now()

    visit = table_seat(restaurant=restaurant, table=table, party_size=3, server=server, waitlist_entry=entry, at=at)

    entry.refresh_from_db()
    assert (entry.status, entry.seated_at, visit.waitlist_entry, visit.seated_at) == ("seated", at, entry, at)


@pytest.mark.parametrize("status", [WaitlistStatus.SEATED, WaitlistStatus.CANCELLED, WaitlistStatus.NO_SHOW])
def test_a_closed_waitlist_entry_cannot_be_seated(restaurant, table, server, status):
    entry = WaitlistEntryFactory(restaurant=restaurant, status=status)

    with pytest.raises(errors.WaitlistEntryClosed) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server, waitlist_entry=entry)

    assert err.value.details["status"] == status
    assert _nothing_written(table)


def test_another_restaurants_waitlist_entry_is_refused(restaurant, other_restaurant, table, server):
    entry = WaitlistEntryFactory(restaurant=other_restaurant)

    with pytest.raises(errors.WrongRestaurant) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server, waitlist_entry=entry)

    assert err.value.details["field"] == "waitlist_entry"
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING


def test_seating_the_top_recommendation_records_it_as_followed(restaurant, table, server):
    decision = routing_decision(restaurant, table=table, server=server)

    visit = table_seat(restaurant=restaurant, table=table, party_size=4, server=server, routing_decision=decision)

    decision.refresh_from_db()
    assert (decision.chosen_table, decision.chosen_server, decision.visit, decision.followed) == (
        table,
        server,
        visit,
        True,
    )
    assert decision.decided_at == visit.seated_at


@pytest.mark.parametrize("differs", ["table", "server"])
def test_seating_elsewhere_or_with_another_server_is_not_followed(restaurant, table, server, differs):
    other_table = table_in(restaurant)
    other_server = server_on_floor(restaurant)
    decision = routing_decision(restaurant, table=table, server=server)
    chosen_table, chosen_server = (other_table, server) if differs == "table" else (table, other_server)

    table_seat(restaurant=restaurant, table=chosen_table, party_size=4, server=chosen_server, routing_decision=decision)

    decision.refresh_from_db()
    assert (decision.chosen_table, decision.chosen_server, decision.followed) == (chosen_table, chosen_server, False)


def test_a_decision_with_nothing_recommended_is_neither_followed_nor_ignored(restaurant, table, server):
    decision = routing_decision(restaurant)

    table_seat(restaurant=restaurant, table=table, party_size=4, server=server, routing_decision=decision)

    decision.refresh_from_db()
    assert decision.followed is None and decision.visit is not None


def test_a_routing_decision_seats_one_party_only(restaurant, table, server):
    decision = routing_decision(restaurant, table=table, server=server)
    table_seat(restaurant=restaurant, table=table, party_size=4, server=server, routing_decision=decision)
    second_table = table_in(restaurant)

    with pytest.raises(errors.DecisionAlreadyUsed):
        table_seat(restaurant=restaurant, table=second_table, party_size=4, server=server, routing_decision=decision)

    second_table.refresh_from_db()
    assert second_table.state == TableState.AVAILABLE


def test_a_decision_made_for_another_waitlist_entry_is_refused(restaurant, table, server):
    decision = routing_decision(restaurant, waitlist_entry=WaitlistEntryFactory(restaurant=restaurant))
    entry = WaitlistEntryFactory(restaurant=restaurant)

    with pytest.raises(errors.InvalidFloorInput) as err:
        table_seat(
            restaurant=restaurant,
            table=table,
            party_size=2,
            server=server,
            waitlist_entry=entry,
            routing_decision=decision,
        )

    assert err.value.details["field"] == "routing_decision"
    assert _nothing_written(table)


def test_another_restaurants_routing_decision_is_refused(restaurant, other_restaurant, table, server):
    decision = routing_decision(other_restaurant)

    with pytest.raises(errors.WrongRestaurant) as err:
        table_seat(restaurant=restaurant, table=table, party_size=2, server=server, routing_decision=decision)

    assert err.value.details["field"] == "routing_decision"


def test_the_next_seating_spends_every_skip_once(restaurant, table, server):
    skipped = server_on_floor(restaurant, skip_next=True)

    table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    assert not Shift.objects.get(staff=skipped).skip_next


def test_closing_the_check_records_totals_and_leaves_the_table_dirty(restaurant, table, server):
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
    closed_at = visit.seated_at + timedelta(minutes=55)

    closed = visit_close(
        restaurant=restaurant,
        visit=visit,
        closed_at=closed_at,
        subtotal=Decimal("80.00"),
        tax=Decimal("7.20"),
        tip=Decimal("16.00"),
        discount=Decimal("5.00"),
    )

    assert (closed.closed_at, closed.subtotal, closed.tip, closed.total) == (
        closed_at,
        Decimal("80.00"),
        Decimal("16.00"),
        Decimal("82.20"),
    )
    table.refresh_from_db()
    assert table.state == TableState.DIRTY
    last = TableStateChange.objects.filter(table=table).first()
    assert (last.from_state, last.to_state, last.source, last.at) == ("occupied", "dirty", "pos", closed_at)


def test_closing_a_closed_visit_again_changes_nothing(restaurant, table, server):
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
    first = visit_close(restaurant=restaurant, visit=visit, tip=Decimal("10"))

    again = visit_close(restaurant=restaurant, visit=visit, tip=Decimal("99"), closed_at=first.closed_at + timedelta(1))

    assert (again.closed_at, again.tip) == (first.closed_at, Decimal("10"))
    assert TableStateChange.objects.filter(table=table).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tip": Decimal("-1")}, "tip"),
        ({"subtotal": "twelve"}, "subtotal"),
        ({"tax": Decimal("1.005")}, "tax"),
        ({"discount": Decimal("NaN")}, "discount"),
        ({"subtotal": Decimal("100000000")}, "subtotal"),
    ],
)
def test_a_close_with_bad_figures_is_refused_naming_the_field(restaurant, table, server, changes, field):
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    with pytest.raises(errors.InvalidFloorInput) as err:
        visit_close(restaurant=restaurant, visit=visit, **changes)

    assert err.value.details["field"] == field
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_every_way_of_closing_a_visit_closes_it_no_earlier_than_its_seating(restaurant, server):
    # One rule (Visit.closing_time): a close stamped before the seating (a POS clock behind ours) is taken
    # as the seating time, whether the check closes or the host clears the table.
    seated_at = timezone.now()
    early = seated_at - timedelta(hours=1)
    by_check = table_seat(restaurant=restaurant, table=table_in(restaurant), party_size=2, server=server, at=seated_at)
    cleared_table = table_in(restaurant)
    by_host = table_seat(restaurant=restaurant, table=cleared_table, party_size=2, server=server, at=seated_at)

    closed = visit_close(restaurant=restaurant, visit=by_check, closed_at=early, tip=Decimal("3.00"))
    table_clear(restaurant=restaurant, table=cleared_table, at=early)

    by_host.refresh_from_db()
    assert closed.closed_at == by_host.closed_at == seated_at
    assert closed.tip == Decimal("3.00") and closed.turn_minutes == by_host.turn_minutes == 0
    cleared_table.refresh_from_db()
    assert cleared_table.state == TableState.DIRTY


def test_another_restaurants_visit_cannot_be_closed(restaurant, other_restaurant, table, server):
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    with pytest.raises(errors.WrongRestaurant):
        visit_close(restaurant=other_restaurant, visit=visit)


def test_an_evening_at_one_table_seat_clear_bus_and_seat_again(restaurant, table, server):
    first = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)

    cleared = table_clear(restaurant=restaurant, table=table)
    assert cleared.pk == first.pk and cleared.closed_at is not None
    assert table.state == TableState.DIRTY

    table_bus(restaurant=restaurant, table=table)
    assert table.state == TableState.AVAILABLE

    second = table_seat(restaurant=restaurant, table=table, party_size=4, server=server)
    assert second.pk != first.pk
    states = list(TableStateChange.objects.filter(table=table).order_by("at", "id").values_list("to_state", flat=True))
    assert states == ["occupied", "dirty", "available", "occupied"]


def test_clearing_or_bussing_twice_changes_nothing(restaurant, table, server):
    table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
    table_clear(restaurant=restaurant, table=table)

    assert table_clear(restaurant=restaurant, table=table) is None
    table_bus(restaurant=restaurant, table=table)
    table_bus(restaurant=restaurant, table=table)

    assert TableStateChange.objects.filter(table=table).count() == 3


def test_an_available_table_cannot_be_cleared(restaurant, table):
    with pytest.raises(errors.IllegalTransition) as err:
        table_clear(restaurant=restaurant, table=table)

    assert err.value.current_state == TableState.AVAILABLE


@pytest.mark.parametrize("state", [TableState.OCCUPIED, TableState.BLOCKED, TableState.RESERVED])
def test_only_a_dirty_table_is_bussed(restaurant, server, state):
    table = table_in(restaurant, state=state)

    with pytest.raises(errors.IllegalTransition) as err:
        table_bus(restaurant=restaurant, table=table)

    assert (err.value.current_state, err.value.requested_state) == (state, TableState.AVAILABLE)
    table.refresh_from_db()
    assert table.state == state
