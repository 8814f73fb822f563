from dataclasses import replace
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from floor.engine import quotes as quotes_engine
from floor.models import Table, TableState, Visit, WaitlistEntry, WaitlistStatus
from floor.selectors import (
    floor_board,
    floor_status,
    servers_in_rotation_order,
    waitlist_open_with_quotes,
)
from floor.selectors.quotes import turn_models_forget
from floor.services.seating import table_seat, visit_close
from floor.services.waitlist import waitlist_cancel
from floor.tests.factories import SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from floor.tests.floor_setup import server_on_floor, table_in
from staff.models import StaffRole
from staff.services import break_start, server_cut, shift_clock_in
from staff.tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 4


def _floor(restaurant, *, tables: int, servers: int, waiting: int):
    """A busy floor: `tables` tables over sections, a server per section; in each section a large party
    at two tables pushed together, and every other one of the remaining tables seated."""
    now = timezone.now()
    sections = [SectionFactory(restaurant=restaurant) for _ in range(servers)]
    staff = []
    for section in sections:
        person = StaffMemberFactory(restaurant=restaurant)
        shift_clock_in(restaurant=restaurant, staff=person, section=section, at=now - timedelta(hours=3))
        staff.append(person)
    made = [
        TableFactory(
            section=sections[index % servers], max_seats=6, combinable_group="long" if index < 2 * servers else ""
        )
        for index in range(tables)
    ]
    for index in range(servers):
        table_seat(
            restaurant=restaurant,
            table=made[index],
            joined_tables=[made[index + servers]],
            party_size=10,
            server=staff[index],
            at=now - timedelta(minutes=index),
        )
    for index in range(2 * servers, tables, 2):
        table_seat(
            restaurant=restaurant,
            table=made[index],
            party_size=2 + index % 4,
            server=staff[index % servers],
            at=now - timedelta(minutes=index),
        )
    for _ in range(waiting):
        WaitlistEntryFactory(restaurant=restaurant)
    return now


def test_floor_status_shows_each_table_with_its_party_and_server(restaurant):
    now = timezone.now()
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Ruiz")
    section = SectionFactory(restaurant=restaurant, name="Patio")
    shift_clock_in(restaurant=restaurant, staff=ana, section=section, at=now - timedelta(hours=2))
    seated = table_in(restaurant, section=section, label="12", is_booth=True, x=120, y=40)
    empty = table_in(restaurant, section=section, label="14")
    table_seat(restaurant=restaurant, table=seated, party_size=3, server=ana, at=now - timedelta(minutes=18))

    status = floor_status(restaurant=restaurant, now=now)

    by_label = {table.label: table for table in status.tables}
    twelve = by_label["12"]
    assert (twelve.state, twelve.party_size, twelve.minutes_seated, twelve.server_id) == ("occupied", 3, 18, ana.pk)
    assert (twelve.server_name, twelve.server_initials, twelve.section_name) == ("Ana Ruiz", "AR", "Patio")
    assert (twelve.x, twelve.y, "booth" in twelve.features) == (120, 40, True)
    assert twelve.visit_id == seated.visits.get().pk
    fourteen = by_label["14"]
    assert fourteen.id == empty.pk
    assert (fourteen.state, fourteen.server_id, fourteen.party_size, fourteen.minutes_seated) == (
        "available",
        None,
        None,
        None,
    )


def test_every_table_pushed_together_shows_the_party_its_server_and_the_others(restaurant):
    now = timezone.now()
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Ruiz")
    section = SectionFactory(restaurant=restaurant, name="Window")
    shift_clock_in(restaurant=restaurant, staff=ana, section=section, at=now - timedelta(hours=2))
    w1, w2, w3, w4 = (
        table_in(restaurant, section=section, label=f"W{n}", max_seats=4, combinable_group="window")
        for n in range(1, 5)
    )
    alone = table_in(restaurant, section=section, label="12")
    party = table_seat(
        restaurant=restaurant,
        table=w2,
        joined_tables=[w1, w3],
        party_size=11,
        server=ana,
        at=now - timedelta(minutes=25),
    )
    table_seat(restaurant=restaurant, table=alone, party_size=2, server=ana, at=now - timedelta(minutes=5))

    status = floor_status(restaurant=restaurant, now=now)

    by_label = {table.label: table for table in status.tables}
    for label, others in (("W1", {w2, w3}), ("W2", {w1, w3}), ("W3", {w1, w2})):
        row = by_label[label]
        assert (row.state, row.party_size, row.minutes_seated, row.server_id, row.visit_id) == (
            "occupied",
            11,
            25,
            ana.pk,
            party.pk,
        )
        assert (row.server_initials, set(row.joined_with)) == ("AR", {t.pk for t in others})
    assert (by_label["W4"].joined_with, by_label["W4"].server_id, by_label["12"].joined_with) == ((), None, ())
    (server,) = status.servers
    # The party counts once; its three tables are all the server's.
    assert (server.covers_now, server.parties_shift, len(server.open_table_ids)) == (13, 2, 4)
    assert set(server.open_table_ids) == {w1.pk, w2.pk, w3.pk, alone.pk}


def test_a_cleared_party_leaves_its_tables_apart_again(restaurant):
    section = SectionFactory(restaurant=restaurant)
    ana = server_on_floor(restaurant, section=section)
    pair = [table_in(restaurant, section=section, combinable_group="window") for _ in range(2)]
    visit = table_seat(restaurant=restaurant, table=pair[0], joined_tables=pair[1:], party_size=6, server=ana)
    visit_close(restaurant=restaurant, visit=visit)

    rows = floor_status(restaurant=restaurant).tables

    assert [(row.state, row.joined_with, row.party_size, row.server_id) for row in rows] == [
        ("dirty", (), None, None)
    ] * 2


def test_floor_status_leaves_out_tables_out_of_service_and_other_restaurants(restaurant, other_restaurant):
    table_in(restaurant, label="1")
    table_in(restaurant, label="2", active=False)
    table_in(other_restaurant, label="3")

    assert [table.label for table in floor_status(restaurant=restaurant).tables] == ["1"]


def test_each_server_on_the_floor_shows_their_load_and_last_seating(restaurant):
    now = timezone.now()
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Ruiz")
    ben = StaffMemberFactory(restaurant=restaurant, name="Ben Ode")
    section = SectionFactory(restaurant=restaurant, name="Main")
    shift_clock_in(restaurant=restaurant, staff=ana, section=section, at=now - timedelta(hours=3))
    shift_clock_in(restaurant=restaurant, staff=ben, at=now - timedelta(hours=1))
    # A visit from Ana's previous shift counts for nothing tonight.
    VisitFactory(
        table=table_in(restaurant),
        server=ana,
        party_size=6,
        seated_at=now - timedelta(days=1),
        closed_at=now - timedelta(days=1) + timedelta(hours=1),
    )
    t1, t2, t3 = (table_in(restaurant) for _ in range(3))
    first = table_seat(restaurant=restaurant, table=t1, party_size=2, server=ana, at=now - timedelta(minutes=90))
    visit_close(restaurant=restaurant, visit=first, closed_at=now - timedelta(minutes=30))
    table_seat(restaurant=restaurant, table=t2, party_size=4, server=ana, at=now - timedelta(minutes=40))
    table_seat(restaurant=restaurant, table=t3, party_size=3, server=ana, at=now - timedelta(minutes=12))
    break_start(restaurant=restaurant, staff=ben)
    server_cut(restaurant=restaurant, staff=ben)

    status = floor_status(restaurant=restaurant, now=now)

    by_name = {server.name: server for server in status.servers}
    a = by_name["Ana Ruiz"]
    assert (a.tables_now, set(a.open_table_ids), a.covers_now) == (2, {t2.pk, t3.pk}, 7)
    assert (a.parties_shift, a.covers_shift, a.minutes_since_last_seated) == (3, 9, 12)
    assert (a.section_name, a.on_break, a.cut, a.can_take_tables) == ("Main", False, False, True)
    b = by_name["Ben Ode"]
    assert (b.tables_now, b.covers_now, b.last_seated_at, b.minutes_since_last_seated) == (0, 0, None, None)
    assert (b.on_break, b.cut, b.can_take_tables, b.section_id) == (True, True, False, None)


def test_hosts_and_bussers_are_listed_apart_from_the_servers(restaurant):
    server_on_floor(restaurant)
    host = StaffMemberFactory(restaurant=restaurant, role=StaffRole.HOST, name="Hal Host")
    shift_clock_in(restaurant=restaurant, staff=host)

    status = floor_status(restaurant=restaurant)

    assert len(status.servers) == 1
    assert [(s.name, s.role) for s in status.support_staff] == [("Hal Host", "host")]


def test_the_waitlist_summary_counts_open_parties_by_size(restaurant, other_restaurant):
    now = timezone.now()
    for size, minutes in [(2, 30), (4, 20), (2, 10)]:
        WaitlistEntryFactory(restaurant=restaurant, party_size=size, added_at=now - timedelta(minutes=minutes))
    WaitlistEntryFactory(restaurant=restaurant, party_size=5, status=WaitlistStatus.NOTIFIED, added_at=now)
    WaitlistEntryFactory(restaurant=restaurant, party_size=8, status=WaitlistStatus.SEATED)
    WaitlistEntryFactory(restaurant=restaurant, party_size=8, status=WaitlistStatus.CANCELLED)
    WaitlistEntryFactory(restaurant=other_restaurant, party_size=3)

    waitlist = floor_status(restaurant=restaurant, now=now).waitlist

    assert (waitlist.open_count, waitlist.covers_waiting) == (4, 13)
    assert waitlist.parties_by_size == {2: 2, 4: 1, 5: 1}
    assert [entry.minutes_waiting for entry in waitlist.entries] == [30, 20, 10, 0]


def _queries_for_floor_status(restaurant) -> int:
    with CaptureQueriesContext(connection) as captured:
        status = floor_status(restaurant=restaurant)
    assert status.tables  # the floor was really read
    return len(captured.captured_queries)


def test_floor_status_costs_the_same_queries_for_10_or_60_tables(
    restaurant, other_restaurant, django_assert_max_num_queries
):
    _floor(restaurant, tables=10, servers=3, waiting=4)
    _floor(other_restaurant, tables=60, servers=15, waiting=30)

    with django_assert_max_num_queries(MAX_QUERIES):
        small = floor_status(restaurant=restaurant)
    with django_assert_max_num_queries(MAX_QUERIES):
        large = floor_status(restaurant=other_restaurant)

    assert (len(small.tables), len(large.tables), len(large.servers), large.waitlist.open_count) == (10, 60, 15, 30)
    assert sum(t.state == TableState.OCCUPIED for t in large.tables) == 30 + 15
    assert sum(bool(t.joined_with) for t in large.tables) == 30
    assert _queries_for_floor_status(restaurant) == _queries_for_floor_status(other_restaurant)


def _board_queries(restaurant, now) -> int:
    with CaptureQueriesContext(connection) as captured:
        board = floor_board(restaurant=restaurant, now=now)
    assert board.tables and board.waitlist  # the floor and the quotes were really read
    return len(captured.captured_queries)


def test_the_board_reads_the_floor_once_in_six_queries_for_10_or_60_tables(restaurant, other_restaurant):
    small_now = _floor(restaurant, tables=10, servers=3, waiting=4)
    large_now = _floor(other_restaurant, tables=60, servers=15, waiting=30)

    # Cold, the quote model adds its three history queries; warm: tables, shifts, visits, waitlist,
    # sections, staff.
    assert _board_queries(restaurant, small_now) == _board_queries(other_restaurant, large_now) == 9
    assert _board_queries(restaurant, small_now) == _board_queries(other_restaurant, large_now) == 6


def test_the_board_shows_what_floor_status_rotation_and_quotes_each_show_alone(restaurant):
    now = _floor(restaurant, tables=12, servers=3, waiting=5)
    late = StaffMemberFactory(restaurant=restaurant, name="Late Lou")
    shift_clock_in(restaurant=restaurant, staff=late, section=SectionFactory(restaurant=restaurant), at=now)
    # Closed visits before their servers clocked in: the board must leave them out of the shifts too.
    early = Visit.objects.filter(restaurant=restaurant).earliest("seated_at")
    for server, hours in [(late, 2), (early.server, 5)]:
        VisitFactory(
            table=early.table,
            server=server,
            seated_at=now - timedelta(hours=hours),
            closed_at=now - timedelta(hours=hours - 1),
        )
    host = StaffMemberFactory(restaurant=restaurant, role=StaffRole.HOST)
    shift_clock_in(restaurant=restaurant, staff=host, role=StaffRole.HOST, at=now - timedelta(hours=6))

    board = floor_board(restaurant=restaurant, now=now)

    status = floor_status(restaurant=restaurant, now=now)
    order = servers_in_rotation_order(restaurant=restaurant, now=now)
    quotes = waitlist_open_with_quotes(restaurant=restaurant, now=now)
    assert tuple(replace(table, server_ids=()) for table in board.tables) == status.tables
    assert board.support_staff == status.support_staff and board.waitlist_summary == status.waitlist
    by_id = {server.staff_id: server for server in status.servers}
    assert [server.staff_id for server in board.servers] == [standing.server.staff_id for standing in order]
    assert [server.rotation_position for server in board.servers] == list(range(1, len(order) + 1))
    for server in board.servers:
        assert replace(server, rotation_position=None) == by_id[server.staff_id]
    assert board.waitlist == tuple(quotes) and len(quotes) == 5


def test_each_table_on_the_board_lists_who_may_take_it_next_first(restaurant):
    now = timezone.now()
    patio, bar = SectionFactory(restaurant=restaurant, name="Patio"), SectionFactory(restaurant=restaurant, name="Bar")
    first = StaffMemberFactory(restaurant=restaurant, name="First")
    floater = StaffMemberFactory(restaurant=restaurant, name="Floater")
    resting = StaffMemberFactory(restaurant=restaurant, name="Resting")
    shift_clock_in(restaurant=restaurant, staff=first, section=patio, at=now - timedelta(hours=3))
    shift_clock_in(restaurant=restaurant, staff=floater, at=now - timedelta(hours=2))
    shift_clock_in(restaurant=restaurant, staff=resting, section=patio, at=now - timedelta(hours=4))
    break_start(restaurant=restaurant, staff=resting)
    on_patio, at_bar = table_in(restaurant, section=patio), table_in(restaurant, section=bar)

    board = floor_board(restaurant=restaurant, now=now)

    takers = {table.id: table.server_ids for table in board.tables}
    # Rotation: neither seated yet, so by clock-in; the one on break takes nobody; the floater takes all.
    assert takers == {on_patio.pk: (first.pk, floater.pk), at_bar.pk: (floater.pk,)}


# == live quotes kept for the minute ================================================================


def _live(quoted) -> list[tuple]:
    return [(q.id, q.live_wait_minutes, q.live_wait_low, q.live_wait_high) for q in quoted]


def _quoted_cold(restaurant, now) -> list[tuple]:
    # What the simulation says with nothing kept (the turn model is read again too, as it would be).
    cache.clear()
    turn_models_forget()
    return _live(waitlist_open_with_quotes(restaurant=restaurant, now=now))


@pytest.fixture
def simulations():
    """Counts the queue simulations the selectors run (the engine's own function, unchanged)."""
    with mock.patch("floor.selectors.quotes.queue_quotes", wraps=quotes_engine.queue_quotes) as spy:
        yield spy


def test_the_same_floor_in_the_same_minute_is_quoted_once_and_the_same(restaurant, simulations):
    minute = timezone.now().replace(second=5, microsecond=0)
    _floor(restaurant, tables=12, servers=3, waiting=5)

    first = floor_board(restaurant=restaurant, now=minute)
    later = floor_board(restaurant=restaurant, now=minute + timedelta(seconds=50))
    listed = waitlist_open_with_quotes(restaurant=restaurant, now=minute + timedelta(seconds=30))

    assert simulations.call_count == 1
    assert _live(later.waitlist) == _live(first.waitlist) == _live(listed)
    # Only the quotes are kept: the minutes a party has waited still count to each read's own instant.
    assert [q.minutes_waiting for q in later.waitlist] == [q.minutes_waiting for q in first.waitlist]
    assert _live(first.waitlist) == _quoted_cold(restaurant, minute)


def test_a_new_minute_quotes_again(restaurant, simulations):
    minute = timezone.now().replace(second=5, microsecond=0)
    _floor(restaurant, tables=12, servers=3, waiting=5)

    floor_board(restaurant=restaurant, now=minute)
    next_minute = floor_board(restaurant=restaurant, now=minute + timedelta(seconds=60))

    assert simulations.call_count == 2
    assert _live(next_minute.waitlist) == _quoted_cold(restaurant, minute + timedelta(seconds=60))


@pytest.mark.parametrize("change", ["seat", "cancel", "block_behind_the_services", "pacing"])
def test_any_change_of_the_floor_quotes_it_again_within_the_minute(restaurant, simulations, change):
    minute = timezone.now().replace(second=5, microsecond=0)
    _floor(restaurant, tables=12, servers=3, waiting=5)
    floor_board(restaurant=restaurant, now=minute)
    free = Table.objects.for_restaurant(restaurant).filter(state=TableState.AVAILABLE).order_by("id").first()
    if change == "seat":
        server = Visit.objects.filter(restaurant=restaurant).first().server
        table_seat(restaurant=restaurant, table=free, party_size=2, server=server, at=minute)
    elif change == "cancel":
        waitlist_cancel(restaurant=restaurant, entry=WaitlistEntry.objects.filter(restaurant=restaurant).first())
    elif change == "block_behind_the_services":  # the setup API, the admin, a bulk update: no announcement
        Table.objects.filter(pk=free.pk).update(state=TableState.BLOCKED)
    else:
        restaurant.routing_settings = {**(restaurant.routing_settings or {}), "pacing_minutes": 12}
        restaurant.save(update_fields=["routing_settings"])

    after = _live(floor_board(restaurant=restaurant, now=minute + timedelta(seconds=20)).waitlist)

    assert simulations.call_count == 2
    assert after == _quoted_cold(restaurant, minute + timedelta(seconds=20))
