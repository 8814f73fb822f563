"""`floor.selectors.quote_accuracy`: quoted against actual wait, by party size and by local hour of arrival,
for today and the last four weeks."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from floor.models import WaitlistStatus
from floor.selectors import quote_accuracy
from floor.tests.factories import WaitlistEntryFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 6, 21, 0, tzinfo=NEW_YORK)


def seated(restaurant, *, size, quoted, waited, arrived, status=WaitlistStatus.SEATED):
    return WaitlistEntryFactory(
        restaurant=restaurant,
        party_size=size,
        quoted_wait_minutes=quoted,
        status=status,
        added_at=arrived,
        seated_at=arrived + timedelta(minutes=waited) if status == WaitlistStatus.SEATED else None,
    )


def test_today_and_four_weeks_compare_quoted_and_actual_waits(restaurant):
    restaurant.timezone = "America/New_York"
    restaurant.save()
    seated(restaurant, size=2, quoted=10, waited=16, arrived=NOW.replace(hour=18, minute=10))
    seated(restaurant, size=2, quoted=20, waited=16, arrived=NOW.replace(hour=18, minute=40))
    seated(restaurant, size=5, quoted=30, waited=45, arrived=NOW.replace(hour=19, minute=5))
    seated(restaurant, size=4, quoted=15, waited=5, arrived=NOW - timedelta(days=3))
    seated(restaurant, size=4, quoted=15, waited=5, arrived=NOW - timedelta(days=40))  # too old
    seated(restaurant, size=2, quoted=10, waited=0, arrived=NOW.replace(hour=19), status=WaitlistStatus.CANCELLED)
    seated(restaurant, size=2, quoted=None, waited=3, arrived=NOW.replace(hour=19))  # never quoted

    today, weeks = quote_accuracy(restaurant=restaurant, now=NOW)

    assert (today.key, today.parties, weeks.parties) == ("today", 3, 4)
    # |16-10| + |16-20| + |45-30| = 25 over 3 parties; actual minus quoted = 6 - 4 + 15 = 17.
    assert (today.mean_abs_error, today.mean_error) == (round(25 / 3, 1), round(17 / 3, 1))
    assert [(b.key, b.parties, b.mean_quoted, b.mean_actual, b.mean_abs_error) for b in today.by_party_size] == [
        ("1-2", 2, 15.0, 16.0, 5.0),
        ("5-6", 1, 30.0, 45.0, 15.0),
    ]
    assert [(b.label, b.parties, b.mean_error) for b in today.by_hour] == [("18:00", 2, 1.0), ("19:00", 1, 15.0)]
    assert [b.key for b in weeks.by_party_size] == ["1-2", "3-4", "5-6"]
    assert weeks.by_party_size[1].mean_error == -10.0


def test_hours_are_the_restaurants_local_hours(restaurant):
    restaurant.timezone = "Asia/Tokyo"
    restaurant.save()
    arrived = datetime(2026, 3, 6, 11, 30, tzinfo=ZoneInfo("UTC"))  # 20:30 in Tokyo

    seated(restaurant, size=3, quoted=10, waited=12, arrived=arrived)
    today, _ = quote_accuracy(restaurant=restaurant, now=arrived + timedelta(hours=1))

    assert [b.label for b in today.by_hour] == ["20:00"]
    assert today.by_party_size[0].label == "3-4 guests"


def test_no_history_gives_empty_periods(restaurant, other_restaurant):
    seated(other_restaurant, size=2, quoted=10, waited=12, arrived=NOW - timedelta(hours=1))

    today, weeks = quote_accuracy(restaurant=restaurant, now=NOW)

    assert (today.parties, today.mean_abs_error, today.by_hour) == (0, None, ())
    assert weeks.parties == 0


def test_large_parties_share_the_open_ended_bucket(restaurant):
    for size in (7, 12):
        seated(restaurant, size=size, quoted=40, waited=50, arrived=NOW - timedelta(hours=2))

    today, _ = quote_accuracy(restaurant=restaurant, now=NOW)

    assert [(b.key, b.parties) for b in today.by_party_size] == [("7+", 2)]


def test_accuracy_is_one_query(restaurant, django_assert_num_queries):
    for day in range(10):
        seated(restaurant, size=2, quoted=10, waited=12, arrived=NOW - timedelta(days=day, hours=1))

    with django_assert_num_queries(1):
        quote_accuracy(restaurant=restaurant, now=NOW)
