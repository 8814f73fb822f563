import factory

from restaurant.tests.factories import RestaurantFactory
from staff.models import Shift, StaffMember, StaffRole


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    restaurant = factory.SubFactory(RestaurantFactory)
    name = factory.Sequence(lambda n: f"Server {n}")
    role = StaffRole.SERVER


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    staff = factory.SubFactory(StaffMemberFactory)
    restaurant = factory.SelfAttribute("staff.restaurant")
    role = factory.SelfAttribute("staff.role")
