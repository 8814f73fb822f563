import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from floor import exceptions as errors
from floor.events import floor_group
from floor.models import RoutingDecision, Table, TableState, TableStateChange, Visit, WaitlistStatus
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.tests.factories import SectionFactory, WaitlistEntryFactory
from floor.tests.floor_setup import server_on_floor, table_in
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


def _decision(restaurant, *, table=None, server=None, **fields):
    return RoutingDecision.objects.create(
        restaurant=restaurant,
        party_size=4,
        mode="rotation",
        recommended_table=table,
        recommended_server=server,
        **fields,
    )


def test_seating_opens_a_visit_and_marks_the_table_occupied(restaurant, table, server, host_user):
    visit = table_seat(restaurant=restaurant, table=table, party_size=4, server=server, actor=host_user)

    assert (visit.table, visit.server, visit.party_size, visit.is_open) == (table, server, 4, True)
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
    decision = _decision(restaurant, table=table, server=server)

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
    decision = _decision(restaurant, table=table, server=server)
    chosen_table, chosen_server = (other_table, server) if differs == "table" else (table, other_server)

    table_seat(restaurant=restaurant, table=chosen_table, party_size=4, server=chosen_server, routing_decision=decision)

    decision.refresh_from_db()
    assert (decision.chosen_table, decision.chosen_server, decision.followed) == (chosen_table, chosen_server, False)


def test_a_decision_with_nothing_recommended_is_neither_followed_nor_ignored(restaurant, table, server):
    decision = _decision(restaurant)

    table_seat(restaurant=restaurant, table=table, party_size=4, server=server, routing_decision=decision)

    decision.refresh_from_db()
    assert decision.followed is None and decision.visit is not None


def test_a_routing_decision_seats_one_party_only(restaurant, table, server):
    decision = _decision(restaurant, table=table, server=server)
    table_seat(restaurant=restaurant, table=table, party_size=4, server=server, routing_decision=decision)
    second_table = table_in(restaurant)

    with pytest.raises(errors.DecisionAlreadyUsed):
        table_seat(restaurant=restaurant, table=second_table, party_size=4, server=server, routing_decision=decision)

    second_table.refresh_from_db()
    assert second_table.state == TableState.AVAILABLE


def test_a_decision_made_for_another_waitlist_entry_is_refused(restaurant, table, server):
    decision = _decision(restaurant, waitlist_entry=WaitlistEntryFactory(restaurant=restaurant))
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
    decision = _decision(other_restaurant)

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
    assert visit.is_open


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


# --- Tables pushed together -----------------------------------------------------------------------------------


@pytest.fixture
def window(restaurant):
    """Three tables of one section that may be pushed together, and their section."""
    section = SectionFactory(restaurant=restaurant, name="Window")
    return [
        table_in(restaurant, section=section, label=label, min_seats=2, max_seats=4, combinable_group="window")
        for label in ("W1", "W2", "W3")
    ]


def _group_written(tables) -> bool:
    """Something was written for these tables: a state, a visit, a history row."""
    for table in tables:
        table.refresh_from_db()
    return (
        any(table.state == TableState.OCCUPIED for table in tables)
        or Visit.objects.exists()
        or TableStateChange.objects.filter(to_state=TableState.OCCUPIED).exists()
    )


def test_a_large_party_sits_at_tables_pushed_together_each_one_occupied(restaurant, window, server, host_user):
    first, second, _ = window

    visit = table_seat(
        restaurant=restaurant, table=first, joined_tables=[second], party_size=7, server=server, actor=host_user
    )

    assert visit.tables == [first, second]
    assert (Visit.objects.count(), visit.party_size, visit.table) == (1, 7, first)
    assert (first.state, second.state) == (TableState.OCCUPIED, TableState.OCCUPIED)
    changes = TableStateChange.objects.order_by("table_id")
    assert [(c.table_id, c.from_state, c.to_state, c.source, c.actor) for c in changes] == [
        (first.pk, "available", "occupied", "host", host_user),
        (second.pk, "available", "occupied", "host", host_user),
    ]
    assert list(second.joined_visits.all()) == [visit]


def test_the_tables_pushed_together_may_be_given_in_any_order_and_a_reserved_one_joins(restaurant, window, server):
    first, second, third = window
    Table.objects.filter(pk=second.pk).update(state=TableState.RESERVED)

    visit = table_seat(restaurant=restaurant, table=second, joined_tables=[third, first], party_size=10, server=server)

    assert [t.pk for t in visit.tables] == [second.pk, first.pk, third.pk]
    assert TableStateChange.objects.get(table=second).from_state == TableState.RESERVED
    assert set(Table.objects.filter(pk__in=[t.pk for t in window]).values_list("state", flat=True)) == {"occupied"}


@pytest.mark.parametrize(("party_size", "allow_misfit"), [(9, False), (1, False), (10, True)])
def test_the_party_must_fit_from_the_first_tables_min_to_the_sum_of_max_seats(
    restaurant, window, server, party_size, allow_misfit
):
    first, second, _ = window

    with pytest.raises(errors.PartyDoesNotFit) as err:
        table_seat(
            restaurant=restaurant,
            table=first,
            joined_tables=[second],
            party_size=party_size,
            server=server,
            allow_misfit=allow_misfit,
        )

    assert (err.value.details["field"], err.value.details["min_seats"], err.value.details["max_seats"]) == (
        "party_size",
        2,
        8,
    )
    assert "tables W1+W2" in err.value.message
    assert not _group_written(window)


def test_a_host_may_insist_on_one_guest_more_than_the_tables_seat(restaurant, window, server):
    first, second, _ = window

    visit = table_seat(
        restaurant=restaurant, table=first, joined_tables=[second], party_size=9, server=server, allow_misfit=True
    )

    assert visit.party_size == 9


def _refused_join(restaurant, table, joined, server, party_size=6):
    with pytest.raises(errors.InvalidFloorInput) as err:
        table_seat(restaurant=restaurant, table=table, joined_tables=joined, party_size=party_size, server=server)
    assert (err.value.status_code, err.value.details["field"]) == (400, "table_ids")
    return err.value


def test_a_table_of_another_restaurant_cannot_be_pushed_together(restaurant, other_restaurant, window, server):
    theirs = table_in(other_restaurant, combinable_group="window")

    error = _refused_join(restaurant, window[0], [theirs], server)

    assert isinstance(error, errors.WrongRestaurant)
    assert not _group_written(window)


def test_a_table_of_another_combinable_group_cannot_be_pushed_together(restaurant, window, server):
    bar = table_in(restaurant, section=window[0].section, label="B1", combinable_group="bar")

    error = _refused_join(restaurant, window[0], [window[1], bar], server)

    assert error.code == "not_combinable"
    assert error.details["table_id"] == bar.pk
    assert "different combinable groups" in error.message
    assert not _group_written([*window, bar])


def test_tables_in_no_combinable_group_cannot_be_pushed_together(restaurant, server):
    section = SectionFactory(restaurant=restaurant)
    loose = [table_in(restaurant, section=section, max_seats=4) for _ in range(2)]

    error = _refused_join(restaurant, loose[0], [loose[1]], server)

    assert error.code == "not_combinable"
    assert "in no combinable group" in error.message
    assert not _group_written(loose)


def test_tables_of_one_group_in_another_section_cannot_be_pushed_together(restaurant, window, server):
    across = table_in(restaurant, label="P1", combinable_group="window")  # a section of its own

    error = _refused_join(restaurant, window[0], [across], server)

    assert error.code == "not_combinable"
    assert "another section" in error.message
    assert not _group_written([*window, across])


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"state": TableState.DIRTY}, "dirty"), ({"state": TableState.BLOCKED}, "blocked"), ({"active": False}, None)],
)
def test_a_dirty_blocked_or_retired_table_cannot_be_pushed_together(restaurant, window, server, change, reason):
    Table.objects.filter(pk=window[1].pk).update(**change)

    error = _refused_join(restaurant, window[0], [window[1]], server)

    assert error.code == "table_not_free"
    assert error.details["table_id"] == window[1].pk
    assert (reason or "out of service") in error.message
    assert not Visit.objects.exists()


def test_the_partys_own_table_or_a_table_twice_is_refused(restaurant, window, server):
    first, second, _ = window

    own = _refused_join(restaurant, first, [first, second], server)
    twice = _refused_join(restaurant, first, [second, second], server)

    assert "own table" in own.message
    assert "only once" in twice.message
    assert not _group_written(window)


def test_an_occupied_table_cannot_be_pushed_together_409(restaurant, window, server):
    first, second, third = window
    table_seat(restaurant=restaurant, table=third, party_size=2, server=server)

    with pytest.raises(errors.TableTaken) as err:
        table_seat(restaurant=restaurant, table=first, joined_tables=[second, third], party_size=8, server=server)

    assert (err.value.status_code, err.value.details["table_id"]) == (409, third.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, Visit.objects.count()) == ("available", "available", 1)


@pytest.mark.parametrize("seat_at", ["joined", "own"])
def test_a_table_pushed_into_an_open_party_is_taken_even_if_its_state_says_free(restaurant, window, server, seat_at):
    first, second, third = window
    table_seat(restaurant=restaurant, table=first, joined_tables=[second], party_size=6, server=server)
    # The state disagrees with the visits (edited by hand): the open visit still has the last word.
    Table.objects.filter(pk=second.pk).update(state=TableState.AVAILABLE)

    with pytest.raises(errors.TableTaken) as err:
        if seat_at == "own":
            table_seat(restaurant=restaurant, table=second, party_size=2, server=server)
        else:
            table_seat(restaurant=restaurant, table=third, joined_tables=[second], party_size=6, server=server)

    assert err.value.details["table_id"] == second.pk
    assert Visit.objects.count() == 1


def _group_decision(restaurant, tables, server):
    ids = [t.pk for t in tables]
    return _decision(
        restaurant,
        table=tables[0],
        server=server,
        recommendations=[{"table_id": ids[0], "table_ids": ids, "server_id": server.pk}],
    )


@pytest.mark.parametrize(("seated", "followed"), [((0, 1), True), ((0,), False), ((0, 2), False), ((0, 1, 2), False)])
def test_following_a_pushed_together_recommendation_means_seating_all_its_tables(
    restaurant, window, server, seated, followed
):
    decision = _group_decision(restaurant, window[:2], server)
    tables = [window[i] for i in seated]

    table_seat(
        restaurant=restaurant,
        table=tables[0],
        joined_tables=tables[1:],
        party_size=4,
        server=server,
        routing_decision=decision,
    )

    decision.refresh_from_db()
    assert (decision.followed, decision.chosen_table) == (followed, tables[0])


def _seated_together(restaurant, tables, server, **kwargs):
    return table_seat(
        restaurant=restaurant, table=tables[0], joined_tables=tables[1:], party_size=7, server=server, **kwargs
    )


def _states(tables) -> list[str]:
    return [Table.objects.get(pk=t.pk).state for t in tables]


def test_closing_a_pushed_together_partys_check_leaves_every_table_dirty(restaurant, window, server):
    visit = _seated_together(restaurant, window[:2], server)
    closed_at = visit.seated_at + timedelta(minutes=80)

    visit_close(restaurant=restaurant, visit=visit, closed_at=closed_at, subtotal=Decimal("300"))

    assert _states(window) == ["dirty", "dirty", "available"]
    dirty = TableStateChange.objects.filter(to_state=TableState.DIRTY).order_by("table_id")
    assert [(c.table_id, c.source, c.at) for c in dirty] == [
        (window[0].pk, "pos", closed_at),
        (window[1].pk, "pos", closed_at),
    ]


@pytest.mark.parametrize("cleared", [0, 1])
def test_clearing_any_table_of_a_pushed_together_party_clears_the_party(restaurant, window, server, cleared):
    visit = _seated_together(restaurant, window, server)

    closed = table_clear(restaurant=restaurant, table=window[cleared])

    assert closed.pk == visit.pk and closed.closed_at is not None
    assert window[cleared].state == TableState.DIRTY
    assert _states(window) == ["dirty", "dirty", "dirty"]
    assert table_clear(restaurant=restaurant, table=window[2]) is None  # already dirty: nothing again
    assert TableStateChange.objects.filter(to_state=TableState.DIRTY).count() == 3


def test_the_pos_or_a_camera_marking_one_table_dirty_clears_the_whole_party(restaurant, window, server):
    visit = _seated_together(restaurant, window[:2], server)

    table_state_set(restaurant=restaurant, table=window[1], to_state=TableState.DIRTY, source="vision", confidence=0.9)

    visit.refresh_from_db()
    assert visit.closed_at is not None
    assert _states(window) == ["dirty", "dirty", "available"]
    other = TableStateChange.objects.get(table=window[0], to_state=TableState.DIRTY)
    assert (other.source, other.note) == ("vision", "cleared with W2")


def test_bussing_stays_per_table_and_each_table_seats_alone_again(restaurant, window, server):
    _seated_together(restaurant, window[:2], server)
    table_clear(restaurant=restaurant, table=window[0])

    table_bus(restaurant=restaurant, table=window[1])

    assert _states(window[:2]) == ["dirty", "available"]
    again = table_seat(restaurant=restaurant, table=window[1], party_size=2, server=server)
    assert again.tables == [window[1]]


def _received(layer, channel) -> list[dict]:
    async def drain():
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), 0.2))
            except TimeoutError:
                return received

    return async_to_sync(drain)()


def test_floor_events_of_a_pushed_together_party_carry_every_table(
    restaurant, window, server, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(floor_group(restaurant.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        visit = _seated_together(restaurant, window[:2], server)
    with django_capture_on_commit_callbacks(execute=True):
        visit_close(restaurant=restaurant, visit=visit)

    sent = _received(layer, channel)
    ids = [window[0].pk, window[1].pk]
    assert [(m["kind"], m["data"]["table_ids"]) for m in sent] == [("table_seated", ids), ("visit_closed", ids)]
    assert sent[0]["data"]["label"] == "W1+W2"
