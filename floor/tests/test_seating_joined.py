"""Seating a large party at tables pushed together: every table occupied, the party's size against the
tables' seats, which tables may join (group, section, state, restaurant), and clearing or closing the
party clearing all of them (split from test_seating.py, which has the one-table rules)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from floor import exceptions as errors
from floor.models import Table, TableState, TableStateChange, Visit
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.tests.factories import SectionFactory
from floor.tests.floor_setup import floor_messages, join_floor_group, routing_decision, server_on_floor, table_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(restaurant):
    return server_on_floor(restaurant)


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


def _grouprouting_decision(restaurant, tables, server):
    ids = [t.pk for t in tables]
    return routing_decision(
        restaurant,
        table=tables[0],
        server=server,
        recommendations=[{"table_id": ids[0], "table_ids": ids, "server_id": server.pk}],
    )


@pytest.mark.parametrize(("seated", "followed"), [((0, 1), True), ((0,), False), ((0, 2), False), ((0, 1, 2), False)])
def test_following_a_pushed_together_recommendation_means_seating_all_its_tables(
    restaurant, window, server, seated, followed
):
    decision = _grouprouting_decision(restaurant, window[:2], server)
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


def test_floor_events_of_a_pushed_together_party_carry_every_table(
    restaurant, window, server, in_memory_layer, django_capture_on_commit_callbacks
):
    channel = join_floor_group(in_memory_layer, restaurant.pk)

    with django_capture_on_commit_callbacks(execute=True):
        visit = _seated_together(restaurant, window[:2], server)
    with django_capture_on_commit_callbacks(execute=True):
        visit_close(restaurant=restaurant, visit=visit)

    sent = floor_messages(in_memory_layer, channel)
    ids = [window[0].pk, window[1].pk]
    assert [(m["kind"], m["data"]["table_ids"]) for m in sent] == [("table_seated", ids), ("visit_closed", ids)]
    assert sent[0]["data"]["label"] == "W1+W2"
