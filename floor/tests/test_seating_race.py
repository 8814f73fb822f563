"""Concurrent seatings against a real PostgreSQL: row locks and the one-open-visit index must hold, for one
table and for tables pushed together, and clearing a party from several tables at once must not deadlock."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from floor.exceptions import TableTaken, WaitlistEntryClosed
from floor.models import Table, TableState, TableStateChange, Visit, WaitlistStatus
from floor.services.seating import table_clear, table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.tests.factories import SectionFactory, WaitlistEntryFactory
from floor.tests.floor_setup import server_on_floor, table_in
from staff.models import Shift

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOSTS = 8


def _at_once(calls):
    """Run each call in its own thread (own DB connection), released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test, success or domain error
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a seating hung (deadlock?)"
    return outcomes


def test_hosts_seating_one_table_at_once_exactly_one_wins(using_postgres, restaurant):
    table = table_in(restaurant, max_seats=4)
    servers = [server_on_floor(restaurant) for _ in range(HOSTS)]

    outcomes = _at_once(
        [
            lambda server=server: table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
            for server in servers
        ]
    )

    winners = [o for o in outcomes if isinstance(o, Visit)]
    losers = [o for o in outcomes if not isinstance(o, Visit)]
    assert len(winners) == 1
    assert len(losers) == HOSTS - 1 and all(isinstance(o, TableTaken) for o in losers), losers
    assert Visit.objects.filter(table=table).count() == 1
    table.refresh_from_db()
    assert table.state == TableState.OCCUPIED
    assert table.state_changes.count() == 1


def test_seating_two_tables_at_once_both_succeed(using_postgres, restaurant):
    first, second = table_in(restaurant), table_in(restaurant)
    server = server_on_floor(restaurant)
    # Skip flags make both seatings lock and update the same shift rows: a deadlock would show here.
    skipped = [server_on_floor(restaurant, skip_next=True) for _ in range(3)]

    outcomes = _at_once(
        [
            lambda table=table: table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
            for table in (first, second)
        ]
    )

    assert all(isinstance(o, Visit) for o in outcomes), outcomes
    assert Visit.objects.filter(server=server, closed_at__isnull=True).count() == 2
    assert not Shift.objects.filter(staff__in=skipped, skip_next=True).exists()


def test_one_waitlist_party_seated_at_two_tables_at_once_sits_at_one(using_postgres, restaurant):
    tables = [table_in(restaurant), table_in(restaurant)]
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=2)
    server = server_on_floor(restaurant)

    outcomes = _at_once(
        [
            lambda table=table: table_seat(
                restaurant=restaurant, table=table, party_size=2, server=server, waitlist_entry=entry
            )
            for table in tables
        ]
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Visit", "WaitlistEntryClosed"]
    assert any(isinstance(o, WaitlistEntryClosed) for o in outcomes)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.SEATED
    states = sorted(t.state for t in type(tables[0]).objects.filter(pk__in=[t.pk for t in tables]))
    assert states == [TableState.AVAILABLE, TableState.OCCUPIED]


def _window(restaurant, count):
    section = SectionFactory(restaurant=restaurant)
    return [table_in(restaurant, section=section, max_seats=4, combinable_group="window") for _ in range(count)]


def test_hosts_seating_overlapping_tables_pushed_together_at_once_exactly_one_wins(using_postgres, restaurant):
    first, shared, last = _window(restaurant, 3)
    server = server_on_floor(restaurant)
    # Given in opposite orders: the service must still lock in id order, or these two would deadlock.
    groups = [(first, [shared]), (last, [shared]), (shared, [last, first]), (first, [last])]

    outcomes = _at_once(
        [
            lambda table=table, joined=joined: table_seat(
                restaurant=restaurant, table=table, joined_tables=joined, party_size=6, server=server
            )
            for table, joined in groups
        ]
    )

    winners = [o for o in outcomes if isinstance(o, Visit)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, TableTaken) for o in outcomes if o not in winners), outcomes
    (visit,) = Visit.objects.all()
    seated = {t.pk for t in visit.tables}
    states = dict(Table.objects.filter(pk__in=[first.pk, shared.pk, last.pk]).values_list("pk", "state"))
    assert {pk for pk, state in states.items() if state == TableState.OCCUPIED} == seated
    assert TableStateChange.objects.filter(to_state=TableState.OCCUPIED).count() == len(seated)


def test_a_party_for_one_table_and_a_party_pushing_it_together_at_once_exactly_one_wins(using_postgres, restaurant):
    first, second = _window(restaurant, 2)
    servers = [server_on_floor(restaurant) for _ in range(HOSTS)]
    calls = [
        lambda server=server: table_seat(restaurant=restaurant, table=second, party_size=2, server=server)
        for server in servers[1:]
    ]
    calls.append(
        lambda: table_seat(restaurant=restaurant, table=first, joined_tables=[second], party_size=7, server=servers[0])
    )

    outcomes = _at_once(calls)

    assert sum(isinstance(o, Visit) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Visit | TableTaken) for o in outcomes), outcomes
    assert Visit.objects.filter(closed_at__isnull=True).count() == 1
    second.refresh_from_db()
    assert second.state == TableState.OCCUPIED


def test_clearing_one_table_while_the_pos_closes_the_partys_check_closes_it_once(using_postgres, restaurant):
    tables = _window(restaurant, 3)
    server = server_on_floor(restaurant)
    visit = table_seat(restaurant=restaurant, table=tables[0], joined_tables=tables[1:], party_size=10, server=server)

    # Each starts from another table of the party; all lock the party's tables in id order, so none deadlocks.
    outcomes = _at_once(
        [
            lambda: visit_close(restaurant=restaurant, visit=visit, tip=Decimal("20")),
            lambda: table_clear(restaurant=restaurant, table=tables[2]),
            lambda: table_state_set(restaurant=restaurant, table=tables[1], to_state=TableState.DIRTY, source="vision"),
        ]
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    visit.refresh_from_db()
    assert visit.closed_at is not None
    assert set(Table.objects.filter(pk__in=[t.pk for t in tables]).values_list("state", flat=True)) == {"dirty"}
    assert TableStateChange.objects.filter(to_state=TableState.DIRTY).count() == 3
