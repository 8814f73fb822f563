"""Fixtures the floor's API tests share: the restaurant's API base path, its main section and a server
clocked in there."""

import pytest

from floor.tests.factories import SectionFactory
from staff.tests.factories import ShiftFactory, StaffMemberFactory


@pytest.fixture
def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}"


@pytest.fixture
def main(restaurant):
    return SectionFactory(restaurant=restaurant, name="Main", color="#336699")


@pytest.fixture
def ana(restaurant, main):
    staff = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=staff, section=main)
    return staff
