"""Fixtures the floor's tests share: the in-memory channel layer, the restaurant's API base path, its main
section and a server clocked in there, its table 12 and three tables that push together, and a night for
the fairness figures."""

from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from floor.models import Visit
from floor.tests.factories import SectionFactory, TableFactory
from staff.tests.factories import ShiftFactory, StaffMemberFactory


@pytest.fixture
def in_memory_layer(settings):
    """The in-memory channel layer, as the floor's groups run on it in a test."""
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }  # resets the cached layer
    return get_channel_layer()


@pytest.fixture
def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}"


@pytest.fixture
def main(restaurant):
    return SectionFactory(restaurant=restaurant, name="Main", color="#336699")


@pytest.fixture
def table(main):
    """Table 12 of the main section, seating two to four."""
    return TableFactory(section=main, label="12", min_seats=2, max_seats=4)


@pytest.fixture
def window(main):
    """Three four-tops of the main section that may be pushed together."""
    return [TableFactory(section=main, label=f"W{n}", max_seats=4, combinable_group="window") for n in (1, 2, 3)]


@pytest.fixture
def ana(restaurant, main):
    staff = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=staff, section=main)
    return staff


@pytest.fixture
def fairness_night(restaurant):
    """Ana and Ben on the floor for two hours: Ana seated 8 covers (two parties 3 minutes apart), Ben 2."""
    now = timezone.now()
    section = SectionFactory(restaurant=restaurant, name="Main")
    tables = [
        TableFactory(section=section, label=str(n + 1), min_seats=1, max_seats=4, x=40 + 90 * n) for n in range(3)
    ]
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ben = StaffMemberFactory(restaurant=restaurant, name="Ben Ng")
    for member in (ana, ben):
        ShiftFactory(staff=member, section=section, clock_in=now - timedelta(hours=2))
    for table, member, size, minutes in ((tables[0], ana, 4, 90), (tables[1], ana, 4, 87), (tables[2], ben, 2, 60)):
        Visit.objects.create(
            restaurant=restaurant,
            table=table,
            server=member,
            party_size=size,
            seated_at=now - timedelta(minutes=minutes),
            closed_at=now - timedelta(minutes=minutes - 30),
        )
    return {"ana": ana, "ben": ben}
