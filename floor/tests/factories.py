from decimal import Decimal

import factory

from floor.models import MenuCategory, MenuItem, Section, Table, Visit, WaitlistEntry
from restaurant.tests.factories import RestaurantFactory


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    restaurant = factory.SubFactory(RestaurantFactory)
    name = factory.Sequence(lambda n: f"Section {n}")


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    section = factory.SubFactory(SectionFactory)
    restaurant = factory.SelfAttribute("section.restaurant")
    label = factory.Sequence(lambda n: f"T{n}")
    min_seats = 1
    max_seats = 4
    x = factory.Sequence(lambda n: (n % 8) * 80)
    # Rows of 8 wrap after 100 rows: a long test session must not push tables past the API's 10000 limit.
    y = factory.Sequence(lambda n: (n // 8) % 100 * 80)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    restaurant = factory.SubFactory(RestaurantFactory)
    party_name = factory.Sequence(lambda n: f"Party {n}")
    party_size = 2


class MenuItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenuItem

    restaurant = factory.SubFactory(RestaurantFactory)
    name = factory.Sequence(lambda n: f"Dish {n}")
    category = MenuCategory.ENTREE
    price = Decimal("18.50")


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    table = factory.SubFactory(TableFactory)
    restaurant = factory.SelfAttribute("table.restaurant")
    party_size = 2
