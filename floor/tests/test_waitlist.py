"""The waitlist: adding with a learned quote, input checks, duplicates, status changes and the list
with positions and live quotes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from floor.exceptions import InvalidFloorInput, WaitlistEntryClosed, WrongRestaurant
from floor.models import TableState, Visit, WaitlistEntry, WaitlistStatus
from floor.selectors import servers_in_rotation_order, waitlist_open_with_quotes
from floor.services.seating import table_seat
from floor.services.waitlist import waitlist_add, waitlist_cancel, waitlist_no_show, waitlist_notify
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from staff.tests.factories import ShiftFactory, StaffMemberFactory

NOW = datetime(2026, 3, 6, 19, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def busy_floor(restaurant):
    """Four 4-tops, all seated, and a server on the floor."""
    section = SectionFactory(restaurant=restaurant, name="Main")
    server = StaffMemberFactory(restaurant=restaurant, name="Ana")
    ShiftFactory(staff=server, restaurant=restaurant, section=section, clock_in=NOW - timedelta(hours=3))
    tables = [TableFactory(restaurant=restaurant, section=section, label=f"T{i}", max_seats=4) for i in range(4)]
    for n, table in enumerate(tables):
        Visit.objects.create(
            restaurant=restaurant, table=table, server=server, party_size=2, seated_at=NOW - timedelta(minutes=10 * n)
        )
        table.state = TableState.OCCUPIED
        table.save(update_fields=["state"])
    return tables, server


def add(restaurant, name="Smith", size=2, **kwargs):
    kwargs.setdefault("now", NOW)
    return waitlist_add(restaurant=restaurant, party_name=name, party_size=size, **kwargs).entry


# == adding ========================================================================================


@pytest.mark.django_db
def test_adding_a_party_stores_it_with_its_quoted_wait(restaurant, busy_floor):
    entry = add(restaurant, "  Smith ", 3, phone="+1 917 555 0101", preferences={"feature": "booth"}, notes="bday")

    entry.refresh_from_db()
    assert (entry.party_name, entry.party_size, entry.phone, entry.notes) == ("Smith", 3, "+1 917 555 0101", "bday")
    assert entry.preferences == {"feature": "booth"}
    assert entry.status == WaitlistStatus.WAITING
    assert entry.added_at == NOW
    assert entry.quoted_wait_minutes > 0


@pytest.mark.django_db
def test_each_party_added_is_quoted_longer_than_the_last_when_they_compete(restaurant, busy_floor):
    quotes = [add(restaurant, f"Party {n}", 2).quoted_wait_minutes for n in range(4)]

    assert quotes == sorted(quotes)
    assert quotes[0] < quotes[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"party_name": "   "}, "party_name"),
        ({"party_name": "x" * 101}, "party_name"),
        ({"party_size": 0}, "party_size"),
        ({"party_size": "two"}, "party_size"),
        ({"phone": "call me maybe"}, "phone"),
        ({"notes": "n" * 201}, "notes"),
        ({"preferences": {"feature": "rooftop"}}, "preferences.feature"),
        ({"preferences": {"section_id": 987654}}, "preferences.section_id"),
        ({"party_size": 40}, "party_size"),  # no table or combination seats 40
    ],
)
def test_bad_input_names_the_field_and_adds_nothing(restaurant, busy_floor, fields, field):
    arguments = {"party_name": "Smith", "party_size": 2, **fields}

    with pytest.raises(InvalidFloorInput) as caught:
        waitlist_add(restaurant=restaurant, now=NOW, **arguments)

    assert caught.value.field == field
    assert not WaitlistEntry.objects.exists()


@pytest.mark.django_db
def test_another_restaurants_section_is_not_a_preference(restaurant, other_restaurant, busy_floor):
    theirs = SectionFactory(restaurant=other_restaurant)

    with pytest.raises(InvalidFloorInput):
        add(restaurant, preferences={"section_id": theirs.pk})


@pytest.mark.django_db
def test_adding_the_same_party_twice_in_a_row_keeps_one_entry(restaurant, busy_floor):
    first = add(restaurant, "Smith", 2, phone="555 0101")
    retried = add(restaurant, "smith", 2, phone="555 0101", now=NOW + timedelta(seconds=30))
    later = add(restaurant, "Smith", 2, phone="555 0101", now=NOW + timedelta(minutes=3))

    assert retried.pk == first.pk
    assert later.pk != first.pk
    assert WaitlistEntry.objects.count() == 2


@pytest.mark.django_db
def test_adding_says_whether_the_entry_is_new_and_answers_its_place_and_live_quote(restaurant, busy_floor):
    add(restaurant, "Ahead", 4)

    added = waitlist_add(restaurant=restaurant, party_name="Jones", party_size=2, phone="555 0102", now=NOW)
    again = waitlist_add(restaurant=restaurant, party_name="jones", party_size=2, phone="555 0102", now=NOW)

    (listed,) = [q for q in waitlist_open_with_quotes(restaurant=restaurant, now=NOW) if q.id == added.entry.pk]
    assert (added.created, again.created, again.entry.pk) == (True, False, added.entry.pk)
    # The new party goes last, so the quote it was told is its live quote on the same floor.
    assert added.quoted == listed == again.quoted
    assert (listed.position, listed.live_wait_minutes) == (2, added.entry.quoted_wait_minutes)


@pytest.mark.django_db
def test_the_quote_is_worked_out_before_the_write_transaction(restaurant, busy_floor, monkeypatch):
    # The queue simulation is a read: holding the write transaction (SQLite's write lock) over it would
    # make every other writer wait. A spy notes whether a transaction was open when the quote ran.
    from django.db import connection

    from floor.services import waitlist

    seen = []
    real = waitlist.quote_new_party

    def spy(**kwargs):
        seen.append(len(connection.savepoint_ids))
        return real(**kwargs)

    monkeypatch.setattr(waitlist, "quote_new_party", spy)
    # pytest-django's test transaction is open around the whole test: each atomic block inside it is a
    # savepoint, so the depth at the quote must be the depth outside the service.
    outside = len(connection.savepoint_ids)

    added = add(restaurant)

    assert added.quoted_wait_minutes is not None and seen == [outside]


@pytest.mark.django_db
def test_adding_announces_the_change_after_commit(restaurant, busy_floor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        add(restaurant)

    assert len(callbacks) == 1


# == status changes ================================================================================


@pytest.mark.django_db
def test_notifying_marks_the_time_and_notifying_again_changes_nothing(restaurant):
    entry = WaitlistEntryFactory(restaurant=restaurant)

    notified = waitlist_notify(restaurant=restaurant, entry=entry, now=NOW)
    again = waitlist_notify(restaurant=restaurant, entry=entry, now=NOW + timedelta(minutes=4))

    assert (notified.status, notified.notified_at) == (WaitlistStatus.NOTIFIED, NOW)
    assert again.notified_at == NOW


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "status"), [(waitlist_cancel, WaitlistStatus.CANCELLED), (waitlist_no_show, WaitlistStatus.NO_SHOW)]
)
@pytest.mark.parametrize("start", [WaitlistStatus.WAITING, WaitlistStatus.NOTIFIED])
def test_an_open_entry_can_be_cancelled_or_marked_a_no_show(restaurant, service, status, start):
    entry = WaitlistEntryFactory(restaurant=restaurant, status=start)

    closed = service(restaurant=restaurant, entry=entry, now=NOW)
    retried = service(restaurant=restaurant, entry=entry, now=NOW + timedelta(minutes=1))

    entry.refresh_from_db()
    assert (entry.status, entry.removed_at) == (status, NOW)
    assert closed.status == retried.status == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "service"),
    [
        (WaitlistStatus.SEATED, waitlist_notify),
        (WaitlistStatus.SEATED, waitlist_cancel),
        (WaitlistStatus.SEATED, waitlist_no_show),
        (WaitlistStatus.CANCELLED, waitlist_notify),
        (WaitlistStatus.CANCELLED, waitlist_no_show),
        (WaitlistStatus.NO_SHOW, waitlist_cancel),
        (WaitlistStatus.NO_SHOW, waitlist_notify),
    ],
)
def test_a_closed_entry_refuses_other_changes_with_a_conflict(restaurant, start, service):
    entry = WaitlistEntryFactory(restaurant=restaurant, status=start)

    with pytest.raises(WaitlistEntryClosed) as caught:
        service(restaurant=restaurant, entry=entry, now=NOW)

    assert caught.value.status_code == 409
    assert caught.value.details["current_status"] == start
    entry.refresh_from_db()
    assert entry.status == start


@pytest.mark.django_db
def test_an_entry_seated_by_the_seating_service_can_no_longer_be_cancelled(restaurant, busy_floor):
    tables, server = busy_floor
    free = TableFactory(restaurant=restaurant, section=tables[0].section, max_seats=4)
    entry = add(restaurant)

    table_seat(restaurant=restaurant, table=free, party_size=2, server=server, waitlist_entry=entry, at=NOW)

    with pytest.raises(WaitlistEntryClosed):
        waitlist_cancel(restaurant=restaurant, entry=entry, now=NOW)
    entry.refresh_from_db()
    assert (entry.status, entry.seated_at) == (WaitlistStatus.SEATED, NOW)


@pytest.mark.django_db
def test_another_restaurants_entry_is_refused(restaurant, other_restaurant):
    theirs = WaitlistEntryFactory(restaurant=other_restaurant)

    for service in (waitlist_notify, waitlist_cancel, waitlist_no_show):
        with pytest.raises(WrongRestaurant):
            service(restaurant=restaurant, entry=theirs, now=NOW)
    theirs.refresh_from_db()
    assert theirs.status == WaitlistStatus.WAITING


# == the list ======================================================================================


@pytest.mark.django_db
def test_the_open_list_has_positions_and_live_quotes_in_order(restaurant, busy_floor):
    entries = [add(restaurant, f"Party {n}", 2, now=NOW - timedelta(minutes=20 - n)) for n in range(4)]
    waitlist_cancel(restaurant=restaurant, entry=entries[1], now=NOW)

    listed = waitlist_open_with_quotes(restaurant=restaurant, now=NOW)

    assert [row.id for row in listed] == [entries[0].pk, entries[2].pk, entries[3].pk]
    assert [row.position for row in listed] == [1, 2, 3]
    assert [row.minutes_waiting for row in listed] == [20, 18, 17]
    assert [row.quoted_wait_minutes for row in listed] == [entries[n].quoted_wait_minutes for n in (0, 2, 3)]
    live = [row.live_wait_minutes for row in listed]
    assert live == sorted(live) and live[0] < live[-1]
    assert all(row.live_wait_low <= row.live_wait_minutes <= row.live_wait_high for row in listed)


@pytest.mark.django_db
def test_the_live_quote_shrinks_once_parties_ahead_are_gone(restaurant, busy_floor):
    entries = [add(restaurant, f"Party {n}", 2) for n in range(4)]
    before = waitlist_open_with_quotes(restaurant=restaurant, now=NOW)[-1].live_wait_minutes

    for entry in entries[:2]:
        waitlist_cancel(restaurant=restaurant, entry=entry, now=NOW)
    after = waitlist_open_with_quotes(restaurant=restaurant, now=NOW)[-1].live_wait_minutes

    assert after < before


@pytest.mark.django_db
@pytest.mark.parametrize("waiting", [2, 12])
def test_the_list_takes_a_fixed_number_of_queries(restaurant, busy_floor, django_assert_num_queries, waiting):
    for n in range(waiting):
        WaitlistEntryFactory(restaurant=restaurant, party_size=2 + n % 4, added_at=NOW - timedelta(minutes=n))

    with django_assert_num_queries(7):
        listed = waitlist_open_with_quotes(restaurant=restaurant, now=NOW)

    assert len(listed) == waiting


@pytest.mark.django_db
def test_an_empty_list_costs_one_query(restaurant, busy_floor, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert waitlist_open_with_quotes(restaurant=restaurant, now=NOW) == []


@pytest.mark.django_db
def test_the_rotation_order_selector_follows_the_engine(restaurant, busy_floor):
    _, ana = busy_floor
    ben = StaffMemberFactory(restaurant=restaurant, name="Ben")
    ShiftFactory(staff=ben, restaurant=restaurant, clock_in=NOW - timedelta(hours=1))

    order = servers_in_rotation_order(restaurant=restaurant, now=NOW)

    # Ben has not been seated yet this shift: he goes first.
    assert [standing.server.staff_id for standing in order] == [ben.pk, ana.pk]
