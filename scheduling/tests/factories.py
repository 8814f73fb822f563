import datetime

import factory

from scheduling.models import Schedule, StaffAvailability, StaffingRequirement, StaffPreference, TimeOff
from staff.tests.factories import StaffMemberFactory


class StaffAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAvailability

    staff = factory.SubFactory(StaffMemberFactory)
    restaurant = factory.SelfAttribute("staff.restaurant")
    weekday = 4
    start_time = datetime.time(16, 0)
    end_time = datetime.time(23, 0)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    staff = factory.SubFactory(StaffMemberFactory)
    restaurant = factory.SelfAttribute("staff.restaurant")
    start_date = datetime.date(2026, 12, 24)
    end_date = datetime.date(2026, 12, 26)


class StaffPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffPreference

    staff = factory.SubFactory(StaffMemberFactory)
    restaurant = factory.SelfAttribute("staff.restaurant")
    roles = factory.LazyAttribute(lambda p: [p.staff.role])
    day_parts = ["dinner"]


class StaffingRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffingRequirement

    restaurant = factory.SubFactory("restaurant.tests.factories.RestaurantFactory")
    weekday = 4
    day_part = "dinner"
    role = "server"
    min_staff = 2
    target_staff = 3
    max_staff = 4


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    restaurant = factory.SubFactory("restaurant.tests.factories.RestaurantFactory")
    week_start = datetime.date(2026, 11, 30)
