"""Deleting a section: only an empty one, the rule in the service (floor.services.sections)."""

import pytest

from floor.exceptions import SectionInUse, WrongRestaurant
from floor.models import Section
from floor.services.sections import section_delete
from floor.tests.factories import SectionFactory, TableFactory

pytestmark = pytest.mark.django_db


def test_an_empty_section_is_deleted(restaurant):
    section = SectionFactory(restaurant=restaurant)

    section_delete(restaurant=restaurant, section=section)

    assert not Section.objects.filter(pk=section.pk).exists()


def test_a_section_with_tables_is_kept_and_the_conflict_says_how_many(restaurant):
    section = SectionFactory(restaurant=restaurant, name="Patio")
    TableFactory(restaurant=restaurant, section=section)
    TableFactory(restaurant=restaurant, section=section, active=False)  # retired tables count too

    with pytest.raises(SectionInUse) as refused:
        section_delete(restaurant=restaurant, section=section)

    assert (refused.value.status_code, refused.value.details) == (409, {"tables": 2})
    assert "Patio" in refused.value.message and Section.objects.filter(pk=section.pk).exists()


def test_another_restaurants_section_is_refused(restaurant, other_restaurant):
    theirs = SectionFactory(restaurant=other_restaurant)

    with pytest.raises(WrongRestaurant):
        section_delete(restaurant=restaurant, section=theirs)

    assert Section.objects.filter(pk=theirs.pk).exists()
