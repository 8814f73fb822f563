from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from floor.exceptions import IllegalTransition, InvalidFloorInput, ManagerOnly, WrongRestaurant
from floor.models import (
    StateSource,
    Table,
    TableState,
    TableStateChange,
    allowed_states,
    needs_manager,
    settable_states,
)
from floor.services.table_states import table_state_set
from floor.tests.factories import VisitFactory
from floor.tests.floor_setup import table_in
from restaurant.models import Role
from restaurant.tests.factories import UserFactory

MANAGER = Role.MANAGER  # blocking and unblocking are a manager's

AV, OC, DI, RE, BL = (
    TableState.AVAILABLE,
    TableState.OCCUPIED,
    TableState.DIRTY,
    TableState.RESERVED,
    TableState.BLOCKED,
)

# The floor's rules written out by hand, independently of the TRANSITIONS table they check.
SETTABLE = {AV: [RE, BL], RE: [AV, BL], OC: [DI], DI: [AV, BL], BL: [AV]}
SEAT_ONLY = {AV: [OC], RE: [OC], OC: [], DI: [], BL: []}

pytestmark = pytest.mark.django_db


def _table_in_state(restaurant, state):
    table = table_in(restaurant, state=state)
    if state == OC:
        VisitFactory(table=table, party_size=2)
    return table


@pytest.mark.parametrize(("from_state", "to_state"), [(f, t) for f, targets in SETTABLE.items() for t in targets])
def test_each_allowed_change_moves_the_table_and_records_its_source(restaurant, from_state, to_state):
    table = _table_in_state(restaurant, from_state)
    host = UserFactory()

    result = table_state_set(
        restaurant=restaurant, table=table, to_state=to_state, source="host", role=MANAGER, actor=host
    )

    table.refresh_from_db()
    assert result.state == table.state == to_state
    change = TableStateChange.objects.get(table=table)
    assert (change.from_state, change.to_state, change.source, change.actor) == (from_state, to_state, "host", host)
    assert table.state_changed_at == change.at


ILLEGAL = [
    (f, t)
    for f, t in product(TableState.values, TableState.values)
    if f != t and t not in SETTABLE[f] and t not in SEAT_ONLY[f]
]


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL)
def test_each_illegal_change_names_the_current_and_allowed_states_and_writes_nothing(restaurant, from_state, to_state):
    table = _table_in_state(restaurant, from_state)

    with pytest.raises(IllegalTransition) as err:
        table_state_set(restaurant=restaurant, table=table, to_state=to_state, source="host", role=MANAGER)

    assert err.value.status_code == 409
    assert err.value.details == {
        "table_id": table.pk,
        "current_state": from_state,
        "requested_state": to_state,
        "allowed_states": SETTABLE[from_state],
    }
    assert from_state in err.value.message and all(s in err.value.message for s in SETTABLE[from_state])
    table.refresh_from_db()
    assert table.state == from_state
    assert not TableStateChange.objects.filter(table=table).exists()


@pytest.mark.parametrize("from_state", [AV, RE])
def test_occupied_is_reached_only_by_seating_and_the_error_says_so(restaurant, from_state):
    table = _table_in_state(restaurant, from_state)

    with pytest.raises(IllegalTransition) as err:
        table_state_set(restaurant=restaurant, table=table, to_state=OC, source="pos")

    assert err.value.allowed_states == SETTABLE[from_state]
    assert "seat a party" in err.value.message


def test_the_transition_table_lists_seating_among_the_allowed_paths():
    for state in TableState.values:
        assert allowed_states(state) == sorted(SETTABLE[state] + SEAT_ONLY[state], key=TableState.values.index)
        assert settable_states(state) == SETTABLE[state]


def test_setting_the_same_state_again_changes_nothing(restaurant):
    table = table_in(restaurant)
    table_state_set(restaurant=restaurant, table=table, to_state=RE, source="host")
    first_change_at = table.state_changed_at

    again = table_state_set(restaurant=restaurant, table=table, to_state=RE, source="pos")

    assert again.state == RE
    assert TableStateChange.objects.filter(table=table).count() == 1
    table.refresh_from_db()
    assert table.state_changed_at == first_change_at


def test_marking_an_occupied_table_dirty_closes_its_open_visit(restaurant):
    table = _table_in_state(restaurant, OC)
    visit = table.visits.get()
    at = timezone.now() + timedelta(minutes=50)

    table_state_set(restaurant=restaurant, table=table, to_state=DI, source="vision", confidence=0.93, at=at)

    visit.refresh_from_db()
    assert visit.closed_at == at
    change = TableStateChange.objects.get(table=table)
    assert (change.source, change.confidence) == ("vision", 0.93)


@pytest.mark.parametrize("source", StateSource.values)
def test_every_source_is_recorded(restaurant, source):
    table = table_in(restaurant)

    table_state_set(restaurant=restaurant, table=table, to_state=BL, source=source, role=MANAGER, note="wobbly leg")

    change = TableStateChange.objects.get(table=table)
    assert (change.source, change.note) == (source, "wobbly leg")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_state": "on_fire"}, "state"),
        ({"source": "guess"}, "source"),
        ({"confidence": 1.5}, "confidence"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(restaurant, changes, field):
    table = table_in(restaurant)
    arguments = {"to_state": BL, "source": "host", **changes}

    with pytest.raises(InvalidFloorInput) as err:
        table_state_set(restaurant=restaurant, table=table, **arguments)

    assert (err.value.status_code, err.value.details["field"]) == (400, field)
    assert not TableStateChange.objects.exists()


def test_another_restaurants_table_is_refused(restaurant, other_restaurant):
    table = table_in(other_restaurant)

    with pytest.raises(WrongRestaurant) as err:
        table_state_set(restaurant=restaurant, table=table, to_state=BL, source="host", role=MANAGER)

    assert err.value.details["field"] == "table"
    table.refresh_from_db()
    assert table.state == AV


def test_blocking_and_unblocking_need_a_manager_other_changes_do_not():
    assert needs_manager(from_state=AV, to_state=BL)
    assert needs_manager(from_state=BL, to_state=AV)
    assert needs_manager(from_state=DI, to_state=BL)
    assert not needs_manager(from_state=DI, to_state=AV)
    assert not needs_manager(from_state=AV, to_state=RE)
    assert not needs_manager(from_state=BL, to_state=BL)


@pytest.mark.parametrize("role", [Role.HOST, Role.STAFF, "api", None])
def test_only_a_manager_may_block_or_unblock_a_table_and_nothing_is_written_otherwise(restaurant, role):
    table = table_in(restaurant)
    blocked = table_in(restaurant, state=BL)

    for target, to_state in [(table, BL), (blocked, AV)]:
        with pytest.raises(ManagerOnly) as refused:
            table_state_set(restaurant=restaurant, table=target, to_state=to_state, source="host", role=role)
        assert refused.value.status_code == 403

    assert not TableStateChange.objects.exists()
    table_state_set(restaurant=restaurant, table=table, to_state=RE, source="host", role=role)  # others may
    table_state_set(restaurant=restaurant, table=table, to_state=BL, source="host", role=Role.OWNER)


def test_the_manager_rule_is_checked_against_the_state_under_the_lock(restaurant):
    # The host's page still shows the table reserved (reserved -> available is anyone's), but a manager
    # blocked it meanwhile: making it available now unblocks it, which only a manager may do.
    table = table_in(restaurant, state=RE)
    stale = Table.objects.get(pk=table.pk)
    table_state_set(restaurant=restaurant, table=table, to_state=BL, source="host", role=Role.MANAGER)

    with pytest.raises(ManagerOnly):
        table_state_set(restaurant=restaurant, table=stale, to_state=AV, source="host", role=Role.HOST)

    table.refresh_from_db()
    assert table.state == BL
