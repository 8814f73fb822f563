from rest_framework import serializers

from floor.models import MenuItem, Section, Table
from restaurant.api.serializers import ModelRulesSerializer, TenantPrimaryKeyRelatedField

# API feature name -> Table flag.
TABLE_FEATURES = {"booth": "is_booth", "patio": "is_patio", "high_top": "is_high_top", "accessible": "is_accessible"}


class SectionSerializer(ModelRulesSerializer):
    color = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False, help_text="Hex colour, e.g. #4f7cac.")

    class Meta:
        model = Section
        fields = ["id", "name", "color", "sort_order", "active"]


class TableSerializer(ModelRulesSerializer):
    """A table's setup. `state` is read-only here: states change through the floor's own endpoints."""

    section = TenantPrimaryKeyRelatedField(queryset=Section.objects.all())
    features = serializers.ListField(
        child=serializers.ChoiceField(choices=list(TABLE_FEATURES)),
        required=False,
        max_length=len(TABLE_FEATURES),
        help_text="Any of booth, patio, high_top, accessible. Writing it replaces the whole set.",
    )
    # Floor-map geometry in map units; bounded so a typo cannot throw a table off the map.
    x = serializers.FloatField(min_value=-10000, max_value=10000, required=False)
    y = serializers.FloatField(min_value=-10000, max_value=10000, required=False)
    width = serializers.FloatField(min_value=1, max_value=10000, required=False)
    height = serializers.FloatField(min_value=1, max_value=10000, required=False)
    rotation = serializers.FloatField(min_value=-360, max_value=360, required=False, help_text="Degrees clockwise.")

    class Meta:
        model = Table
        fields = [
            "id",
            "label",
            "section",
            "min_seats",
            "max_seats",
            "features",
            "x",
            "y",
            "width",
            "height",
            "shape",
            "rotation",
            "combinable_group",
            "active",
            "state",
            "state_changed_at",
        ]
        read_only_fields = ["state", "state_changed_at"]

    def validate(self, attrs):
        features = attrs.pop("features", None)
        if features is not None:
            for name, flag in TABLE_FEATURES.items():
                attrs[flag] = name in features
        return super().validate(attrs)


class MenuItemSerializer(ModelRulesSerializer):
    class Meta:
        model = MenuItem
        fields = ["id", "name", "category", "price", "pos_item_id", "active"]
