"""A small restaurant's week to schedule: five servers (one strong), a host, requirements for every
day's lunch and dinner, Friday and Saturday dinner busier. Shared by the service, API, worker and
browser tests."""

import datetime

from scheduling.models import StaffingRequirement
from scheduling.tests.factories import StaffAvailabilityFactory, StaffPreferenceFactory, TimeOffFactory
from staff.tests.factories import StaffMemberFactory

WEEK = datetime.date(2026, 12, 7)


def small_week(restaurant, *, extra_staff=()) -> dict:
    servers = [
        StaffMemberFactory(restaurant=restaurant, name=name, tier=tier)
        for name, tier in (
            ("Ana Alvarez", "strong"),
            ("Ben Brooks", "standard"),
            ("Cara Chen", "standard"),
            ("Dev Dubois", "developing"),
            ("Eve Evans", "standard"),
        )
    ]
    host = StaffMemberFactory(restaurant=restaurant, name="Hal Host", role="host")
    people = [*servers, host, *extra_staff]
    for member in people:
        StaffPreferenceFactory(
            staff=member,
            roles=[member.role],
            day_parts=["dinner"] if member.pk % 2 else ["lunch", "dinner"],
            min_hours_per_week=12,
            max_hours_per_week=42 if member.role == "host" else 30,
            max_shifts_per_week=7 if member.role == "host" else 5,
        )
    # Ana cannot work Mondays; Ben is off on Saturday.
    for weekday in range(1, 7):
        StaffAvailabilityFactory(
            staff=servers[0], weekday=weekday, start_time=datetime.time(10), end_time=datetime.time(23, 59)
        )
    TimeOffFactory(
        staff=servers[1],
        start_date=WEEK + datetime.timedelta(days=5),
        end_date=WEEK + datetime.timedelta(days=5),
        status="approved",
        reason="Wedding",
    )
    rows = []
    for weekday in range(7):
        busy = weekday in (4, 5)
        rows += [
            StaffingRequirement(
                restaurant=restaurant,
                weekday=weekday,
                day_part="lunch",
                role="server",
                min_staff=1,
                target_staff=1,
                max_staff=2,
            ),
            StaffingRequirement(
                restaurant=restaurant,
                weekday=weekday,
                day_part="dinner",
                role="server",
                min_staff=2 if busy else 1,
                target_staff=3 if busy else 2,
                max_staff=3,
            ),
            StaffingRequirement(
                restaurant=restaurant,
                weekday=weekday,
                day_part="dinner",
                role="host",
                min_staff=1,
                target_staff=1,
                max_staff=1,
            ),
        ]
    StaffingRequirement.objects.bulk_create(rows)
    return {"servers": servers, "host": host, "people": people}
