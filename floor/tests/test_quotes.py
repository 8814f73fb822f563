"""Learned wait quotes: the model learns from history, and quotes move with the queue, the occupancy,
how long tables have been seated, dirty tables and the restaurant's own turn times.

Over 400 lines: the model, its queue simulation and the quotes read from the database are one subject
(each section below builds on the one before), as floor/engine/quotes.py is one module."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from floor.engine.floor import FloorTable, Party
from floor.engine.quotes import Distribution, QueuedParty, TurnModel, quote_tables, simulate_waits
from floor.models import StateSource, Table, TableState, TableStateChange, Visit, WaitlistEntry, WaitlistStatus
from floor.selectors import (
    day_part,
    floor_snapshot,
    load_turn_model,
    open_queue,
    quote_new_party,
    waitlist_open_with_quotes,
)
from floor.services.seating import table_seat
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from restaurant.tests.factories import RestaurantFactory
from staff.models import StaffMember
from staff.tests.factories import ShiftFactory, StaffMemberFactory

TZ = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 6, 19, 0, tzinfo=TZ)  # a Friday, at dinner


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def make_floor(restaurant, *, tables=4, seats=4, staffed=True, **table_fields):
    section = SectionFactory(restaurant=restaurant, name="Main")
    made = [
        TableFactory(restaurant=restaurant, section=section, label=f"T{i}", max_seats=seats, **table_fields)
        for i in range(tables)
    ]
    if staffed:
        staff = StaffMemberFactory(restaurant=restaurant, name="Ana")
        ShiftFactory(staff=staff, restaurant=restaurant, section=section, clock_in=ago(240))
    return made


def occupy(table, party_size=2, *, seated_minutes_ago=20):
    Visit.objects.create(
        restaurant=table.restaurant, table=table, party_size=party_size, seated_at=ago(seated_minutes_ago)
    )
    table.state = TableState.OCCUPIED
    table.save(update_fields=["state"])


def make_dirty(table, *, minutes_ago=1):
    table.state = TableState.DIRTY
    table.state_changed_at = ago(minutes_ago)
    table.save(update_fields=["state", "state_changed_at"])


def add_history(restaurant, table, *, stay_minutes, count=60, party_size=2, local_hour=19):
    """Closed visits on past days at the given local hour, each staying `stay_minutes` (+-10%)."""
    rng = np.random.default_rng(1)
    visits = []
    for n in range(count):
        day = NOW.date() - timedelta(days=1 + n % 28)
        seated = datetime(day.year, day.month, day.day, local_hour, (n * 7) % 60, tzinfo=TZ)
        stay = stay_minutes * rng.uniform(0.9, 1.1)
        visits.append(
            Visit(
                restaurant=restaurant,
                table=table,
                party_size=party_size,
                seated_at=seated,
                closed_at=seated + timedelta(minutes=stay),
            )
        )
    Visit.objects.bulk_create(visits)


def wait_in_line(restaurant, sizes):
    for n, size in enumerate(sizes):
        WaitlistEntryFactory(restaurant=restaurant, party_size=size, added_at=ago(30 - n))


def quote_wait_minutes(*, restaurant, party_size, now, **kwargs):
    return quote_new_party(restaurant=restaurant, party_size=party_size, now=now, **kwargs).minutes


def quote(restaurant, party_size=2, **kwargs):
    return quote_wait_minutes(restaurant=restaurant, party_size=party_size, now=NOW, **kwargs)


# == the model =====================================================================================


def test_a_distribution_with_enough_history_is_the_history():
    stays = np.random.default_rng(3).normal(90, 5, size=400)

    learned = Distribution.learned(stays, prior=np.full(200, 30.0))

    assert learned.mean == pytest.approx(90, abs=1)
    assert learned.samples == 400


def test_a_distribution_with_little_history_leans_on_the_prior():
    few = Distribution.learned([90.0] * 5, prior=np.full(200, 30.0))
    more = Distribution.learned([90.0] * 30, prior=np.full(200, 30.0))

    assert 30 < few.mean < more.mean < 90


def test_expected_remaining_time_is_conditional_on_time_already_seated():
    stay = Distribution.learned(np.linspace(40, 120, 81), prior=np.full(200, 60.0))

    assert stay.expected_remaining(0) == pytest.approx(80, abs=1)
    assert stay.expected_remaining(100) == pytest.approx(10, abs=1)
    assert stay.expected_remaining(0) > stay.expected_remaining(60) > stay.expected_remaining(100)
    assert stay.expected_remaining(500) == 5.0  # past anything seen: any minute now


def test_the_model_learns_stays_by_day_part_and_party_size():
    history = [("dinner", 2, 60.0)] * 50 + [("dinner", 6, 120.0)] * 50 + [("lunch", 2, 35.0)] * 50

    model = TurnModel.from_history(stays=history)

    assert model.stay("dinner", 2).mean == pytest.approx(60)
    assert model.stay("dinner", 6).mean == pytest.approx(120)
    assert model.stay("lunch", 2).mean == pytest.approx(35)
    # A size with no history of its own borrows its size bucket (5 sits with 6).
    assert model.stay("dinner", 5).mean == pytest.approx(120)


def test_the_share_of_waiting_parties_who_stay_is_learned():
    leaving = TurnModel.from_history(stays=[], waitlist_outcomes={"seated": 20, "cancelled": 60, "no_show": 20})
    staying = TurnModel.from_history(stays=[], waitlist_outcomes={"seated": 100})

    assert leaving.stay_share < 0.4 < 0.9 < staying.stay_share


@pytest.mark.django_db
def test_the_model_is_loaded_from_visits_bussing_and_waitlist_history(restaurant):
    (table,) = make_floor(restaurant, tables=1)
    add_history(restaurant, table, stay_minutes=50, count=60)
    for n in range(45):
        dirty = ago(600 + 60 * n)
        TableStateChange.objects.create(
            restaurant=restaurant, table=table, from_state="occupied", to_state="dirty", source="pos", at=dirty
        )
        TableStateChange.objects.create(
            restaurant=restaurant,
            table=table,
            from_state="dirty",
            to_state="available",
            source=StateSource.HOST,
            at=dirty + timedelta(minutes=15),
        )
    for status in [WaitlistStatus.SEATED] * 10 + [WaitlistStatus.CANCELLED] * 10:
        WaitlistEntryFactory(restaurant=restaurant, status=status, added_at=ago(1000))

    model = load_turn_model(restaurant=restaurant, now=NOW, use_cache=False)

    assert model.stay("dinner", 2).mean == pytest.approx(50, abs=2)
    assert model.bus.mean == pytest.approx(15, abs=0.5)
    assert model.stay_share == pytest.approx((10 + 16) / (20 + 20))


def test_day_parts_follow_the_restaurants_local_time():
    restaurant = RestaurantFactory.build(timezone="America/New_York")

    assert day_part(restaurant, datetime(2026, 3, 6, 12, 30, tzinfo=TZ)) == "lunch"
    assert day_part(restaurant, datetime(2026, 3, 6, 20, 0, tzinfo=TZ)) == "dinner"
    assert day_part(restaurant, datetime(2026, 3, 6, 16, 0, tzinfo=TZ)) == "lunch"  # the tail of lunch
    assert day_part(restaurant, datetime(2026, 3, 6, 9, 0, tzinfo=TZ)) == "lunch"  # before the first


# == the queue simulation ==========================================================================


def QuoteTable(*, id, state, minutes_in_state=0.0, party_size=0, **fields):  # noqa: N802 (reads as the old type)
    """A FloorTable as the quote sees it: an occupied one holds a party of `party_size` seated that long ago."""
    party = None
    if state == "occupied" and party_size:
        party = Party(visit_id=id, size=party_size, seated_at=NOW, table_ids=(id,))
    return FloorTable(
        id=id,
        label=str(id),
        state=state,
        minutes_in_state=minutes_in_state,
        party=party,
        minutes_seated=minutes_in_state if party else None,
        **fields,
    )


def _tables(n, state="occupied", minutes=20, seats=4, **fields):
    return [
        QuoteTable(id=i, section_id=1, min_seats=1, max_seats=seats, state=state, minutes_in_state=minutes, **fields)
        for i in range(n)
    ]


def _median_wait(tables, queue, model=None, key=None):
    waits = simulate_waits(tables=tables, queue=queue, model=model or TurnModel(), day_part="dinner")
    return float(np.median(waits[key if key is not None else queue[-1].key]))


def test_a_party_ahead_that_needs_other_tables_does_not_delay_us():
    tables = _tables(3, seats=2, party_size=2) + [
        QuoteTable(id=9, section_id=1, min_seats=5, max_seats=8, state="occupied", minutes_in_state=5, party_size=8)
    ]
    alone = [QueuedParty(key="us", party_size=2)]
    behind_a_big_party = [QueuedParty(key="big", party_size=8), QueuedParty(key="us", party_size=2)]
    behind_a_pair = [QueuedParty(key="pair", party_size=2), QueuedParty(key="us", party_size=2)]

    assert _median_wait(tables, behind_a_big_party) == _median_wait(tables, alone)
    assert _median_wait(tables, behind_a_pair) > _median_wait(tables, alone)


def test_a_large_party_waits_for_tables_pushed_together():
    tables = [
        QuoteTable(id=1, section_id=1, min_seats=1, max_seats=6, state="available", combinable_group="A"),
        QuoteTable(id=2, section_id=1, min_seats=1, max_seats=6, state="occupied", combinable_group="A", party_size=4),
    ]

    waits = simulate_waits(
        tables=tables, queue=[QueuedParty(key="ten", party_size=10)], model=TurnModel(), day_part="dinner"
    )

    assert float(np.median(waits["ten"])) > 0
    assert simulate_waits(tables=tables[:1], queue=[QueuedParty(key="ten", party_size=10)], model=TurnModel(),
                          day_part="dinner")["ten"] is None  # fmt: skip


def test_the_simulation_is_deterministic():
    tables = _tables(5, party_size=2)
    queue = [QueuedParty(key=n, party_size=2 + n % 3) for n in range(6)]

    first = simulate_waits(tables=tables, queue=queue, model=TurnModel(), day_part="dinner")
    second = simulate_waits(tables=tables, queue=queue, model=TurnModel(), day_part="dinner")

    assert all(np.array_equal(first[key], second[key]) for key in first)


# == quotes from the database ======================================================================


@pytest.mark.django_db
def test_a_free_fitting_table_means_no_wait(restaurant):
    make_floor(restaurant)

    assert quote(restaurant) == 0


@pytest.mark.django_db
def test_the_quote_grows_with_the_queue_ahead(restaurant):
    for table in make_floor(restaurant):
        occupy(table)

    quotes = []
    for ahead in (0, 2, 5):
        WaitlistEntry.objects.all().delete()
        wait_in_line(restaurant, [2] * ahead)
        quotes.append(quote(restaurant))

    assert quotes[0] < quotes[1] < quotes[2]


@pytest.mark.django_db
def test_the_quote_grows_with_occupancy(restaurant):
    tables = make_floor(restaurant, tables=6)
    wait_in_line(restaurant, [2, 2, 2])
    quotes = []
    for occupied in (3, 6):
        for table in tables[:occupied]:
            if table.state != TableState.OCCUPIED:
                occupy(table)
        quotes.append(quote(restaurant))

    assert quotes[0] < quotes[1]


@pytest.mark.django_db
def test_the_quote_is_shorter_when_the_fitting_tables_have_been_seated_long(restaurant, other_restaurant):
    for table in make_floor(restaurant):
        occupy(table, seated_minutes_ago=10)
    for table in make_floor(other_restaurant):
        occupy(table, seated_minutes_ago=70)

    assert quote(other_restaurant) < quote(restaurant)


@pytest.mark.django_db
def test_dirty_tables_count_as_soon_available(restaurant, other_restaurant):
    for place in (restaurant, other_restaurant):  # no pacing: the bussing alone decides (pacing: test_busy_rules)
        place.routing_settings = {"pacing_minutes": 0}
        place.save(update_fields=["routing_settings"])
    for table in make_floor(restaurant):
        occupy(table, seated_minutes_ago=5)
    for table in make_floor(other_restaurant):
        make_dirty(table)
    wait_in_line(restaurant, [2, 2])
    wait_in_line(other_restaurant, [2, 2])

    assert quote(other_restaurant) < 10 < quote(restaurant)


@pytest.mark.django_db
def test_two_restaurants_with_different_turn_times_get_different_quotes(restaurant, other_restaurant):
    quick, slow = make_floor(restaurant), make_floor(other_restaurant)
    add_history(restaurant, quick[0], stay_minutes=40)
    add_history(other_restaurant, slow[0], stay_minutes=120)
    for table in quick + slow:
        occupy(table, seated_minutes_ago=15)

    fast_quote, slow_quote = quote(restaurant), quote(other_restaurant)

    assert fast_quote < 30 < 90 < slow_quote


@pytest.mark.django_db
def test_lunch_and_dinner_quotes_come_from_their_own_history(restaurant):
    tables = make_floor(restaurant)
    add_history(restaurant, tables[0], stay_minutes=35, local_hour=12)
    add_history(restaurant, tables[0], stay_minutes=110, local_hour=19)
    for table in tables:
        occupy(table, seated_minutes_ago=5)
    Visit.objects.filter(closed_at__isnull=True).update(seated_at=NOW.replace(hour=12) - timedelta(minutes=5))

    at_lunch = quote_wait_minutes(restaurant=restaurant, party_size=2, now=NOW.replace(hour=12))
    Visit.objects.filter(closed_at__isnull=True).update(seated_at=ago(5))
    at_dinner = quote(restaurant)

    assert at_lunch < 40 < 80 < at_dinner


@pytest.mark.django_db
def test_without_history_the_quote_comes_from_priors(restaurant):
    for table in make_floor(restaurant):
        occupy(table, seated_minutes_ago=30)

    assert 10 <= quote(restaurant) <= 60


@pytest.mark.django_db
def test_an_accessible_party_waits_for_an_accessible_table(restaurant):
    tables = make_floor(restaurant, is_accessible=False)
    tables[0].is_accessible = True
    tables[0].save(update_fields=["is_accessible"])
    occupy(tables[0])

    assert quote(restaurant) == 0
    assert quote(restaurant, preferences={"accessible": True}) > 0


@pytest.mark.django_db
def test_tables_nobody_serves_do_not_shorten_the_wait(restaurant):
    tables = make_floor(restaurant)
    for table in tables:
        occupy(table)
    TableFactory(restaurant=restaurant, section=SectionFactory(restaurant=restaurant, name="Closed"), max_seats=4)

    assert quote(restaurant) > 0


@pytest.mark.django_db
def test_a_party_no_table_could_seat_gets_no_quote(restaurant):
    make_floor(restaurant)

    assert quote(restaurant, party_size=30) is None


@pytest.mark.django_db
def test_reserved_and_blocked_tables_are_not_waited_for(restaurant):
    tables = make_floor(restaurant, tables=2)
    occupy(tables[0])
    tables[1].state = TableState.BLOCKED
    tables[1].save(update_fields=["state"])
    wait_in_line(restaurant, [2])
    with_blocked = quote(restaurant)
    tables[1].state = TableState.DIRTY
    tables[1].save(update_fields=["state"])

    assert quote(restaurant) < with_blocked


@pytest.mark.django_db
@pytest.mark.parametrize("n_tables", [10, 60])
def test_a_quote_takes_a_fixed_number_of_queries(restaurant, django_assert_num_queries, n_tables):
    tables = make_floor(restaurant, tables=n_tables)
    for table in tables[: n_tables // 2]:
        occupy(table)
    add_history(restaurant, tables[0], stay_minutes=60, count=20)
    wait_in_line(restaurant, [2, 4, 2])

    # Cold: history (visits, bussing, waitlist outcomes), tables, open visits, shifts, the queue.
    with django_assert_num_queries(7):
        cold = quote(restaurant)
    with django_assert_num_queries(4):
        warm = quote(restaurant)

    assert cold == warm


# == tables pushed together ========================================================================


def _seat_pushed_together(restaurant, *, seated_minutes_ago=90):
    """A 2-top and a 4-top pushed together for a party of 6 (a third table is blocked): those two."""
    first, second, far = make_floor(restaurant, tables=3, seats=4, min_seats=1, combinable_group="long")
    first.max_seats = 2
    first.save(update_fields=["max_seats"])
    table_seat(
        restaurant=restaurant,
        table=first,
        joined_tables=[second],
        party_size=6,
        server=StaffMember.objects.get(restaurant=restaurant, name="Ana"),
        at=ago(seated_minutes_ago),
    )
    far.state = TableState.BLOCKED
    far.save(update_fields=["state"])
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("read_once", [False, True], ids=["alone", "with-the-floor-rows"])
def test_a_table_pushed_together_counts_as_held_by_that_party_since_it_was_seated(restaurant, read_once):
    first, second = _seat_pushed_together(restaurant, seated_minutes_ago=90)
    # The joined table's own state changed later (a camera confirmed it), but its party sat down 90 min ago.
    Table.objects.filter(pk=second.pk).update(state_changed_at=ago(3))
    snapshot = floor_snapshot(restaurant=restaurant, now=NOW, sections=read_once)

    staffed, _ = quote_tables(snapshot)

    by_id = {table.id: table for table in staffed}
    for table in (first, second):
        assert (by_id[table.pk].party_size, by_id[table.pk].party.table_ids) == (6, (first.pk, second.pk))
        assert by_id[table.pk].minutes_seated == pytest.approx(90)


@pytest.mark.django_db
def test_a_party_waits_for_the_pushed_together_party_to_leave_both_tables(restaurant, other_restaurant):
    # The same party of 6, seated 90 min ago for a usual 100, at a 2-top and a 4-top pushed together: once
    # with the 4-top's own state freshly changed, once not. Either way the 4-top frees when they leave.
    for place in (restaurant, other_restaurant):
        _, second = _seat_pushed_together(place, seated_minutes_ago=90)
        add_history(place, second, stay_minutes=100, count=60, party_size=6)
    Table.objects.filter(restaurant=other_restaurant, label="T1").update(state_changed_at=ago(1))

    assert quote(restaurant, party_size=4) == quote(other_restaurant, party_size=4) <= 20


@pytest.mark.django_db
def test_the_board_and_a_quote_alone_quote_a_joined_floor_the_same(restaurant):
    _seat_pushed_together(restaurant, seated_minutes_ago=60)
    wait_in_line(restaurant, [2, 4, 6])

    alone = waitlist_open_with_quotes(restaurant=restaurant, now=NOW)
    board = waitlist_open_with_quotes(
        restaurant=restaurant,
        now=NOW,
        entries=open_queue(restaurant=restaurant),
        snapshot=floor_snapshot(restaurant=restaurant, now=NOW),
    )

    assert [(q.id, q.live_wait_minutes, q.live_wait_low, q.live_wait_high) for q in alone] == [
        (q.id, q.live_wait_minutes, q.live_wait_low, q.live_wait_high) for q in board
    ]
    assert all(q.live_wait_minutes is not None for q in alone)
