"""Input and output of the host-stand endpoints: routing, seating, table states, visits, the waitlist and
the floor status. Field names of the contract (docs: issue "Contract the frontend and POS integrators
rely on") are fixed: `recommendations[].table_id/server_id/score/reason`, `routing_decision_id`, the
visit's `id`, `tables[].id/label/state/server_id/party_size`, `servers`, `waitlist`.

Over 400 lines on purpose: the host stand's whole contract in one place, in the order of the API
reference (docs/api.md), so a field's name is checked against its neighbours'; almost every line is a
field declaration."""

from operator import attrgetter

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from floor.engine.floor import MAX_PARTY_SIZE
from floor.models import RoutingDecision, Table, TableFeature, TableState, Visit, WaitlistEntry, settable_states
from floor.selectors import floor_actions
from restaurant.api.serializers import TenantPrimaryKeyRelatedField
from restaurant.models import RoutingMode
from staff.models import StaffMember

MAX_JOINED_TABLES = 12
MAX_ID = 2**63 - 1  # the ids' column (BigAutoField): larger numbers are no id at all


# Fields whose DRF `to_representation` is exactly this conversion (a bool is already a bool on our rows).
_PLAIN = {
    serializers.IntegerField: int,
    serializers.CharField: str,
    serializers.FloatField: float,
    serializers.BooleanField: bool,
}


def _iso_datetime(field_timezone):
    """DRF's DateTimeField output for an aware datetime (ISO 8601 in the current time zone, "Z" for UTC)."""

    def convert(value):
        if value.tzinfo is None:
            value = timezone.make_aware(value, field_timezone)
        text = value.astimezone(field_timezone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _converter(field):
    """(kind, conversion): "plain" and "drf" conversions serve every row; "datetime" needs the request's
    time zone; "method" is the row serializer's own method (it may read the context)."""
    plain = _PLAIN.get(type(field))
    if plain is not None:
        return "plain", plain
    if type(field) is serializers.ListField and type(field.child) in _PLAIN:
        item = _PLAIN[type(field.child)]
        return "plain", lambda values: [None if value is None else item(value) for value in values]
    plain_datetime = (
        not hasattr(field, "timezone")
        and not hasattr(field, "format")
        and settings.USE_TZ
        and str(api_settings.DATETIME_FORMAT).lower() == ISO_8601
    )
    if type(field) is serializers.DateTimeField and plain_datetime:
        return "datetime", None
    if isinstance(field, serializers.SerializerMethodField):
        return "method", field.method_name
    return "drf", field.to_representation


class RowSerializer(serializers.Serializer):
    """Output of one row of a long list (the board's tables, servers, waitlist), read from plain objects
    whose every source exists. The same fields, names and values as DRF's own `to_representation`, which
    a floor of 60 tables spends most of `GET .../floor` in: each field's source and conversion are
    worked out once per class (on a template instance), not once per row, field and request; a test
    holds the output equal to DRF's (floor/tests/test_api_host_stand.py)."""

    _row_template: dict = {}

    @classmethod
    def _template(cls) -> list:
        plan = cls._row_template.get(cls)
        if plan is None:
            plan = [
                # A method field's source is the row itself ("*": no attributes).
                (f.field_name, attrgetter(".".join(f.source_attrs)) if f.source_attrs else _itself, *_converter(f))
                for f in cls()._readable_fields
            ]
            cls._row_template[cls] = plan
        return plan

    def _plan(self) -> list:
        plan = self.__dict__.get("_row_plan")
        if plan is None:
            iso = _iso_datetime(timezone.get_current_timezone())
            plan = self._row_plan = [
                (name, get, iso if kind == "datetime" else getattr(self, how) if kind == "method" else how)
                for name, get, kind, how in self._template()
            ]
        return plan

    def to_representation(self, instance):
        return {
            name: None if (value := get(instance)) is None else convert(value) for name, get, convert in self._plan()
        }


def _itself(row):
    return row


class PreferencesSchema(serializers.Serializer):
    """What a party asked for; every key optional. The routing service validates it (400 naming
    `preferences.<key>`), so this serializer only documents the shape."""

    section_id = serializers.IntegerField(required=False, help_text="A section's id.")
    feature = serializers.ChoiceField(choices=TableFeature.values, required=False)
    accessible = serializers.BooleanField(required=False, help_text="A must, not a wish.")


@extend_schema_field(PreferencesSchema)
class PreferencesField(serializers.JSONField):
    """Preferences passed through as given: the services own their rules (unknown keys, feature names)."""


# --- Routing ------------------------------------------------------------------------------------------------


class RouteRequestSerializer(serializers.Serializer):
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE)
    preferences = PreferencesField(required=False, allow_null=True)
    waitlist_entry_id = TenantPrimaryKeyRelatedField(
        queryset=WaitlistEntry.objects.all(),
        required=False,
        allow_null=True,
        help_text="Route this waitlist entry; its preferences apply unless `preferences` is given.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5, help_text="How many recommendations.")


class ScoreBreakdownSerializer(serializers.Serializer):
    server_priority = serializers.FloatField(help_text="100 for the server the mode puts first, 10 less per place.")
    table_fit = serializers.FloatField(help_text="-20 per wasted seat.")
    combination = serializers.FloatField(help_text="-10 per extra table pushed together.")
    preference = serializers.FloatField(help_text="+15 per wish met.")
    double_seat = serializers.FloatField(help_text="The double-seat penalty when the server was just seated.")
    hold = serializers.FloatField(help_text="Pacing: -5 per minute the party is held instead of a double seat.")
    overload = serializers.FloatField(
        help_text="`overload_penalty` per open table past what a server of their tier carries (`tables_by_tier`)."
    )
    borrowed = serializers.FloatField(help_text="`borrow_penalty` when the table is lent from another section.")


class RecommendationSerializer(serializers.Serializer):
    """One way to seat the party, best first in the list."""

    table_id = serializers.IntegerField(help_text="The table to seat (the first one when tables are pushed together).")
    table_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Every table of the place.")
    table_label = serializers.SerializerMethodField()
    table_labels = serializers.ListField(child=serializers.CharField())
    section_id = serializers.IntegerField()
    seats = serializers.IntegerField()
    server_id = serializers.IntegerField(help_text="The staff member to seat the party with.")
    server_name = serializers.CharField()
    score = serializers.FloatField(help_text="The sum of `breakdown`; higher is better.")
    breakdown = ScoreBreakdownSerializer()
    reason = serializers.CharField(help_text="One line a host understands.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_table_label(self, recommendation) -> str:
        return "+".join(recommendation.table_labels)


class RouteResponseSerializer(serializers.Serializer):
    recommendations = RecommendationSerializer(many=True)
    routing_decision_id = serializers.IntegerField(
        source="decision_id", allow_null=True, help_text="Pass it to the seat call so the decision records the outcome."
    )
    reason = serializers.CharField(help_text="Why nothing fits now (empty when there are recommendations).")
    party_size = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=RoutingMode.choices)
    preferences = PreferencesSchema()


class PassedOverSerializer(serializers.Serializer):
    """A waiting party "seat next" could not seat now."""

    waitlist_entry_id = serializers.IntegerField()
    party_name = serializers.CharField()
    party_size = serializers.IntegerField()
    reason = serializers.CharField(
        help_text='Why they wait, e.g. "Vance (9): no free table for 9 — largest free is a 6-top".'
    )


class RouteNextResponseSerializer(serializers.Serializer):
    """Seat next: the first waiting party that fits now and where to seat them, or, when nobody fits, the
    first party and why; every party checked and passed over, with its reason."""

    waitlist_entry_id = serializers.IntegerField(
        source="entry.pk", allow_null=True, default=None, help_text="Null when nobody is waiting."
    )
    party_name = serializers.CharField(source="entry.party_name", allow_null=True, default=None)
    party_size = serializers.IntegerField(source="entry.party_size", allow_null=True, default=None)
    position = serializers.IntegerField(allow_null=True, help_text="The party's place on the list; 1 is first.")
    recommendations = RecommendationSerializer(many=True)
    routing_decision_id = serializers.IntegerField(
        source="decision_id", allow_null=True, help_text="Pass it to the seat call with `waitlist_entry_id`."
    )
    passed_over = PassedOverSerializer(
        many=True, help_text="Parties that cannot be seated now, in list order (those ahead of the party answered)."
    )
    reason = serializers.CharField(help_text="Why nothing fits now (empty when there are recommendations).")
    mode = serializers.ChoiceField(choices=RoutingMode.choices)
    preferences = PreferencesSchema()


# --- Seating, visits and table states ----------------------------------------------------------------------


class SeatRequestSerializer(serializers.Serializer):
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE)
    server_id = TenantPrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    waitlist_entry_id = TenantPrimaryKeyRelatedField(
        queryset=WaitlistEntry.objects.all(), required=False, allow_null=True
    )
    routing_decision_id = TenantPrimaryKeyRelatedField(
        queryset=RoutingDecision.objects.all(),
        required=False,
        allow_null=True,
        help_text="The decision the seating follows (or not); a decision seats one party only.",
    )
    allow_misfit = serializers.BooleanField(
        default=False, help_text="The host insists: a table too big, or one guest over its seats."
    )
    table_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_JOINED_TABLES,
        help_text=(
            "Tables pushed together for a large party: every table of the place, as a recommendation's "
            "`table_ids` lists them (the table in the path may be listed or not; it is the party's own table). "
            "All in the path table's combinable group and section, and free."
        ),
    )

    def validate_table_ids(self, value: list[int]) -> list[Table]:
        """The tables pushed together with the path's table (which is left out), each once, of this restaurant."""
        if len(set(value)) != len(value):
            raise serializers.ValidationError("each table may be listed only once")
        table_id = self.context.get("table_id")
        others = [pk for pk in value if pk != table_id]
        found = {
            table.pk: table for table in Table.objects.for_restaurant(self.context["restaurant"]).filter(pk__in=others)
        }
        missing = [pk for pk in others if pk not in found]
        if missing:
            raise serializers.ValidationError(f"table {missing[0]} not found in this restaurant")
        return [found[pk] for pk in others]


class VisitSerializer(serializers.ModelSerializer):
    """A party at a table, from seating to the check closing."""

    table_id = serializers.IntegerField(read_only=True, help_text="The party's own table (the first of `table_ids`).")
    table_label = serializers.CharField(source="table.label", read_only=True)
    table_ids = serializers.SerializerMethodField(
        help_text="Every table of the party: its own, then those pushed together."
    )
    table_labels = serializers.SerializerMethodField()
    server_id = serializers.IntegerField(read_only=True, allow_null=True)
    server_name = serializers.CharField(source="server.name", read_only=True, allow_null=True, default=None)
    waitlist_entry_id = serializers.IntegerField(read_only=True, allow_null=True)
    routing_decision_id = serializers.SerializerMethodField()
    followed_recommendation = serializers.SerializerMethodField(
        help_text="Whether the host seated the decision's top recommendation (null: no decision or nothing to follow)."
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "table_id",
            "table_label",
            "table_ids",
            "table_labels",
            "server_id",
            "server_name",
            "party_size",
            "seated_at",
            "closed_at",
            "waitlist_entry_id",
            "routing_decision_id",
            "followed_recommendation",
            "subtotal",
            "tax",
            "tip",
            "discount",
            "pos_check_id",
        ]
        read_only_fields = fields

    def _decision(self, visit) -> RoutingDecision | None:
        try:
            return visit.decision
        except RoutingDecision.DoesNotExist:
            return None

    def _tables(self, visit) -> list:
        # Both table fields read the same list: one query for the pushed-together tables, not two.
        cached = getattr(self, "_tables_of", None)
        if cached is None or cached[0] is not visit:
            self._tables_of = cached = (visit, visit.tables)
        return cached[1]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_table_ids(self, visit) -> list[int]:
        return [table.pk for table in self._tables(visit)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_table_labels(self, visit) -> list[str]:
        return [table.label for table in self._tables(visit)]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_routing_decision_id(self, visit) -> int | None:
        decision = self._decision(visit)
        return decision.pk if decision else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_followed_recommendation(self, visit) -> bool | None:
        decision = self._decision(visit)
        return decision.followed if decision else None


class TableStateRequestSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=TableState.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TableStateSerializer(serializers.Serializer):
    """A table's state after a change, and where it may go from here."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=TableState.choices)
    state_changed_at = serializers.DateTimeField()
    allowed_states = serializers.SerializerMethodField(
        help_text="States the state endpoint accepts from here (occupied comes from seating)."
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TableState.choices)))
    def get_allowed_states(self, table) -> list[str]:
        return settable_states(table.state)


class TableClearedSerializer(serializers.Serializer):
    table = TableStateSerializer()
    closed_visit = VisitSerializer(allow_null=True, help_text="The visit clearing closed; null if none was open.")


class VisitCloseRequestSerializer(serializers.Serializer):
    """The check's totals, as the POS knows them; every field optional."""

    subtotal = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    tax = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    tip = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    discount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    closed_at = serializers.DateTimeField(required=False, help_text="When the check closed (default: now).")


class ModeSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=RoutingMode.choices)


# --- Waitlist ----------------------------------------------------------------------------------------------


class WaitlistAddSerializer(serializers.Serializer):
    party_name = serializers.CharField(max_length=100)
    party_size = serializers.IntegerField(min_value=1, max_value=MAX_PARTY_SIZE)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    preferences = PreferencesField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WaitlistEntrySerializer(RowSerializer):
    """An open waitlist entry with its place in the queue and its quotes."""

    id = serializers.IntegerField()
    party_name = serializers.CharField(source="entry.party_name")
    party_size = serializers.IntegerField(source="entry.party_size")
    phone = serializers.CharField(source="entry.phone")
    preferences = PreferencesSchema(source="entry.preferences")
    notes = serializers.CharField(source="entry.notes")
    status = serializers.CharField(source="entry.status")
    position = serializers.IntegerField(help_text="1 is next in line.")
    added_at = serializers.DateTimeField(source="entry.added_at")
    notified_at = serializers.DateTimeField(source="entry.notified_at", allow_null=True)
    minutes_waiting = serializers.IntegerField()
    quoted_wait_minutes = serializers.IntegerField(allow_null=True, help_text="What the party was told when added.")
    live_wait_minutes = serializers.IntegerField(
        allow_null=True, help_text="Learned quote from now, given the floor and the queue ahead now."
    )
    live_wait_low = serializers.IntegerField(allow_null=True)
    live_wait_high = serializers.IntegerField(allow_null=True)


class WaitlistChangeSerializer(serializers.ModelSerializer):
    """A waitlist entry after a status change (notified, cancelled, no-show)."""

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "party_name",
            "party_size",
            "status",
            "quoted_wait_minutes",
            "added_at",
            "notified_at",
            "seated_at",
            "removed_at",
        ]
        read_only_fields = fields


# --- Floor status ------------------------------------------------------------------------------------------


class SectionRefSerializer(RowSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()


class FloorTableSerializer(RowSerializer):
    """One table now: geometry for the map, state, and the party and server at it."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=TableState.choices)
    server_id = serializers.IntegerField(allow_null=True)
    party_size = serializers.IntegerField(allow_null=True)
    minutes_seated = serializers.IntegerField(allow_null=True)
    seated_at = serializers.DateTimeField(allow_null=True)
    visit_id = serializers.IntegerField(allow_null=True)
    joined_with = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The other tables pushed together with this one for its party (empty when it seats alone).",
    )
    server_name = serializers.CharField(allow_null=True)
    server_initials = serializers.CharField(allow_null=True)
    section_id = serializers.IntegerField()
    section_name = serializers.CharField()
    state_changed_at = serializers.DateTimeField()
    minutes_in_state = serializers.IntegerField()
    allowed_states = serializers.SerializerMethodField()
    min_seats = serializers.IntegerField()
    max_seats = serializers.IntegerField()
    features = serializers.ListField(
        child=serializers.CharField(), help_text="Any of booth, patio, high_top, accessible (`Table.features`)."
    )
    server_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The servers who can take a party at this table now, next in rotation first: those working its "
        "section or every section (the routing engine's rule).",
    )
    combinable_group = serializers.CharField()
    x = serializers.FloatField(help_text="The table's left edge on the floor map, in the map's units.")
    y = serializers.FloatField(help_text="Its top edge.")
    width = serializers.FloatField()
    height = serializers.FloatField()
    shape = serializers.CharField(help_text="`Table.shape`: rect or round, drawn inside width x height.")
    rotation = serializers.FloatField(help_text="Degrees clockwise.")

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TableState.choices)))
    def get_allowed_states(self, table) -> list[str]:
        return settable_states(table.state)


class FloorServerSerializer(RowSerializer):
    """A server (or bartender) on the floor, in rotation order: load, last seating and the host's overrides."""

    id = serializers.IntegerField(source="staff_id", help_text="The staff member's id (`server_id` elsewhere).")
    name = serializers.CharField()
    initials = serializers.CharField()
    role = serializers.CharField()
    tier = serializers.CharField()
    shift_id = serializers.IntegerField()
    section_id = serializers.IntegerField(allow_null=True)
    section_name = serializers.CharField(allow_null=True)
    clocked_in_at = serializers.DateTimeField(source="clock_in")
    rotation_position = serializers.IntegerField(
        allow_null=True, help_text="1 is next to get a party; null when they take none now (break, cut)."
    )
    can_take_tables = serializers.BooleanField()
    on_break = serializers.BooleanField()
    cut = serializers.BooleanField()
    skip_next = serializers.BooleanField()
    rotation_offset = serializers.IntegerField()
    open_table_ids = serializers.ListField(child=serializers.IntegerField())
    active_covers = serializers.IntegerField(source="covers_now", help_text="Guests at their tables now.")
    shift_covers = serializers.IntegerField(source="covers_shift")
    shift_parties = serializers.IntegerField(source="parties_shift")
    last_seated_at = serializers.DateTimeField(allow_null=True)
    minutes_since_last_seated = serializers.IntegerField(allow_null=True)


class SupportStaffSerializer(RowSerializer):
    """Someone on the floor who takes no tables (host, busser, runner)."""

    id = serializers.IntegerField(source="staff_id", help_text="The staff member's id.")
    name = serializers.CharField()
    role = serializers.CharField()
    on_break = serializers.BooleanField()


class OffFloorStaffSerializer(RowSerializer):
    """An active staff member not clocked in."""

    id = serializers.IntegerField(help_text="The staff member's id.")
    name = serializers.CharField()
    role = serializers.CharField(help_text="Their usual role (the default role to clock in as).")


class WaitlistSummarySerializer(serializers.Serializer):
    open_count = serializers.IntegerField()
    covers_waiting = serializers.IntegerField()
    parties_by_size = serializers.DictField(child=serializers.IntegerField())


class FloorActionsSerializer(serializers.Serializer):
    """What the caller may do on the floor: the dashboard offers these actions and no others."""

    switch_mode = serializers.BooleanField(help_text="`POST .../mode` (owners and managers).")
    run_floor = serializers.BooleanField(
        help_text="Seat, clear and bus tables, and the waitlist's, the rotation's and the time clock's actions."
    )
    seat_from = serializers.ListField(
        child=serializers.ChoiceField(choices=TableState.choices), help_text="The states a table is seated from."
    )
    table_states = serializers.DictField(
        child=serializers.ListField(child=serializers.ChoiceField(choices=TableState.choices)),
        help_text="For a table in each state, the states this caller may set through `POST .../tables/{id}/state` "
        "(blocking and unblocking are for managers).",
    )


class FloorSerializer(serializers.Serializer):
    """The whole floor now, as the host stand shows it, and what the caller may do on it (`actions`, given in
    the context by `floor_actions`; nothing without it)."""

    restaurant_id = serializers.IntegerField()
    at = serializers.DateTimeField()
    mode = serializers.ChoiceField(choices=RoutingMode.choices)
    tables = FloorTableSerializer(many=True)
    servers = FloorServerSerializer(many=True, help_text="Rotation order first; then those on break or cut.")
    support_staff = SupportStaffSerializer(many=True)
    off_floor = OffFloorStaffSerializer(many=True, help_text="Active staff not clocked in.")
    sections = SectionRefSerializer(many=True)
    waitlist = WaitlistEntrySerializer(many=True)
    waitlist_summary = WaitlistSummarySerializer()
    actions = serializers.SerializerMethodField()

    @extend_schema_field(FloorActionsSerializer)
    def get_actions(self, board) -> dict:
        return FloorActionsSerializer(self.context.get("actions") or floor_actions(role=None)).data
