import factory

from floor.tests.factories import TableFactory
from restaurant.tests.factories import RestaurantFactory
from vision.models import Camera, TableRegion


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    restaurant = factory.SubFactory(RestaurantFactory)
    name = factory.Sequence(lambda n: f"Camera {n}")
    source_url = "http://127.0.0.1:9/snapshot.jpg"


class TableRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TableRegion

    camera = factory.SubFactory(CameraFactory)
    table = factory.SubFactory(TableFactory, section__restaurant=factory.SelfAttribute("...camera.restaurant"))
    center_x = 320
    center_y = 240
    width = 120
    height = 80
    angle = 15
