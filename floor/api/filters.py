from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from floor.api.serializers import TABLE_FEATURES
from floor.models import MenuCategory, MenuItem, Section, Table, TableState
from restaurant.api.filters import MAX_ID, IntegerFilter


class SectionFilter(filters.FilterSet):
    class Meta:
        model = Section
        fields = ["active"]


class TableFilter(filters.FilterSet):
    section = IntegerFilter(field_name="section_id", min_value=1, max_value=MAX_ID)
    state = filters.ChoiceFilter(choices=TableState.choices)
    party_size = IntegerFilter(
        method="filter_party_size", min_value=1, max_value=1000, label="Only tables that seat a party of this size."
    )
    feature = filters.ChoiceFilter(
        choices=[(name, name) for name in TABLE_FEATURES], method="filter_feature", label="Only tables with it."
    )

    class Meta:
        model = Table
        fields = ["section", "state", "active", "combinable_group"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_party_size(self, queryset, name, value):
        return queryset.fitting(value)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_feature(self, queryset, name, value):
        return queryset.filter(**{TABLE_FEATURES[value]: True})


class MenuItemFilter(filters.FilterSet):
    category = filters.ChoiceFilter(choices=MenuCategory.choices)

    class Meta:
        model = MenuItem
        fields = ["category", "active", "pos_item_id"]
