"""Tonight's fairness on the floor, and the routing settings a manager sets beside the mode.

- `GET .../floor/fairness`: covers per server-hour so far, the Gini, who is behind and by how much, the
  double seats tonight; every member and key of the restaurant may read it.
- `GET .../routing-settings`: the routing mode, the pacing interval and the rotation basis;
  `POST` changes the pacing interval and the rotation basis: owners and managers only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from floor.api.host_stand import HostStandView
from floor.selectors.fairness import fairness_tonight
from floor.services.routing import routing_settings_set
from restaurant.models import MANAGING_ROLES, ROTATION_BASES

TAGS = ["host stand"]


class ServerFairnessSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    covers = serializers.IntegerField()
    hours = serializers.FloatField(help_text="Hours on the floor so far tonight.")
    covers_per_hour = serializers.FloatField()
    behind_covers = serializers.FloatField(
        help_text="Covers short of the floor's mean rate for their hours (0: not behind)."
    )
    double_seats = serializers.IntegerField()


class FairnessSerializer(serializers.Serializer):
    servers = ServerFairnessSerializer(many=True, help_text="Most behind first.")
    gini = serializers.FloatField(help_text="Gini of covers per server-hour: 0 is perfectly even.")
    mean_covers_per_hour = serializers.FloatField()
    double_seats = serializers.IntegerField()
    double_seat_minutes = serializers.FloatField(help_text="Seated again sooner than this counts as a double seat.")


class FloorRoutingSettingsSerializer(serializers.Serializer):
    mode = serializers.CharField(read_only=True)
    pacing_minutes = serializers.IntegerField(
        min_value=0,
        max_value=30,
        required=False,
        help_text="A server gets a new party at most every this many minutes (0: no pacing).",
    )
    rotation_basis = serializers.ChoiceField(
        choices=ROTATION_BASES, required=False, help_text="Rotation counts turns, or covers per hour on the floor."
    )
    borrow_tables = serializers.BooleanField(
        required=False,
        help_text="A lighter server may be lent a table of another section when its own servers carry too many.",
    )


def _settings_body(restaurant) -> dict:
    config = restaurant.routing_config
    return {
        "mode": restaurant.routing_mode,
        "pacing_minutes": config["pacing_minutes"],
        "rotation_basis": config["rotation_basis"],
        "borrow_tables": config["borrow_tables"],
    }


class FairnessView(HostStandView):
    """Tonight's fairness between the servers on the floor."""

    serializer_class = FairnessSerializer

    @extend_schema(tags=TAGS, summary="Tonight's fairness on the floor", responses={200: FairnessSerializer})
    def get(self, request, restaurant_id):
        return Response(FairnessSerializer(fairness_tonight(restaurant=self.get_restaurant())).data)


class RoutingSettingsView(HostStandView):
    """The routing mode, pacing interval, rotation basis and table lending; owners and managers change the
    last three (the mode has its own endpoint)."""

    serializer_class = FloorRoutingSettingsSerializer
    write_roles = MANAGING_ROLES
    write_scopes = ()

    @extend_schema(tags=TAGS, summary="The routing settings", responses={200: FloorRoutingSettingsSerializer})
    def get(self, request, restaurant_id):
        return Response(FloorRoutingSettingsSerializer(_settings_body(self.get_restaurant())).data)

    @extend_schema(
        tags=TAGS,
        summary="Set the pacing interval, the rotation basis and table lending",
        request=FloorRoutingSettingsSerializer,
        responses={200: FloorRoutingSettingsSerializer},
    )
    def post(self, request, restaurant_id):
        changes = self.valid_input(FloorRoutingSettingsSerializer)
        restaurant = self.get_restaurant()
        routing_settings_set(restaurant=restaurant, role=self.get_role(), changes=dict(changes))
        return Response(FloorRoutingSettingsSerializer(_settings_body(restaurant)).data)
