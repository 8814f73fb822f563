import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from floor.models import Visit
from floor.tests.factories import TableFactory, VisitFactory
from restaurant.models import Restaurant


@pytest.mark.django_db
def test_a_restaurant_needs_only_a_name():
    restaurant = Restaurant.objects.create(name="Chez Nous")
    restaurant.full_clean()
    assert restaurant.routing_mode == "rotation"
    assert restaurant.routing_config["double_seat_window_minutes"] == 5
    assert restaurant.day_part_keys() == ["lunch", "dinner"]


@pytest.mark.django_db
def test_unknown_timezone_is_rejected_naming_the_field():
    restaurant = Restaurant(name="X", timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as err:
        restaurant.full_clean()
    assert "timezone" in err.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_database_allows_one_open_visit_per_table():
    table = TableFactory()
    VisitFactory(table=table)
    with pytest.raises(IntegrityError):
        Visit.objects.create(table=table, restaurant=table.restaurant, party_size=2)
