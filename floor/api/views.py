"""Floor setup over the API: sections, tables and the menu of one restaurant."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from floor.api.filters import MenuItemFilter, SectionFilter, TableFilter
from floor.api.serializers import MenuItemSerializer, SectionSerializer, TableSerializer
from floor.models import MenuItem, Section, Table
from floor.services.sections import section_delete
from restaurant.api.scoping import RestaurantScopedMixin
from restaurant.models import ApiScope


@extend_schema(tags=["floor"])
class SectionViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """Sections of the floor. Managers edit them; a section with tables cannot be deleted."""

    queryset = Section.objects.all()
    serializer_class = SectionSerializer
    filterset_class = SectionFilter
    ordering_fields = ["sort_order", "name", "id"]
    ordering = ["sort_order", "name", "id"]

    def perform_destroy(self, instance):
        section_delete(restaurant=self.get_restaurant(), section=instance)


@extend_schema(tags=["floor"])
class TableViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """Tables with their seats, features and floor-map geometry. `state` is read-only here."""

    queryset = Table.objects.all()
    serializer_class = TableSerializer
    filterset_class = TableFilter
    ordering_fields = ["label", "section", "max_seats", "state", "id"]
    ordering = ["section__sort_order", "section_id", "label", "id"]


@extend_schema(tags=["menu"])
class MenuItemViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """The menu as the POS knows it. Managers and keys with the `pos` scope may change it."""

    queryset = MenuItem.objects.all()
    serializer_class = MenuItemSerializer
    filterset_class = MenuItemFilter
    write_scopes = (ApiScope.POS,)
    ordering_fields = ["name", "category", "price", "id"]
    ordering = ["category", "name", "id"]
