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


def watched_floor(restaurant, *, source_url: str = "", source_type: str = "snapshot", **camera_fields):
    """A camera over three tables (T1-T3) placed where support.BOXES draws them."""
    from floor.tests.factories import SectionFactory
    from vision.tests.support import BOXES

    section = SectionFactory(restaurant=restaurant, name="Main")
    tables = [TableFactory(section=section, label=f"T{i + 1}") for i in range(len(BOXES))]
    camera = CameraFactory(
        restaurant=restaurant,
        source_url=source_url or "http://127.0.0.1:9/snapshot.jpg",
        source_type=source_type,
        **camera_fields,
    )
    for table, box in zip(tables, BOXES, strict=True):
        TableRegion.objects.create(
            camera=camera, table=table, center_x=box.cx, center_y=box.cy, width=box.w, height=box.h, angle=box.angle
        )
    return camera, tables
