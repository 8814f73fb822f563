"""Concurrent seatings against a real PostgreSQL: row locks and the one-open-visit index must hold."""

import threading

import pytest
from django.db import connection

from floor.exceptions import TableTaken, WaitlistEntryClosed
from floor.models import TableState, Visit, WaitlistStatus
from floor.services.seating import table_seat
from floor.tests.factories import WaitlistEntryFactory
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
