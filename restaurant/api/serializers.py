"""Serializer building blocks shared by every app's API, and the restaurant's own serializer."""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import UniqueConstraint
from rest_framework import serializers

from restaurant.models import ROTATION_BASES, Restaurant, default_routing_settings


class TenantPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign-key input limited to the request's restaurant: another restaurant's id reads as an
    unknown id (400 naming the field), never as a link across tenants."""

    def get_queryset(self):
        restaurant = self.context.get("restaurant")
        queryset = super().get_queryset()
        return queryset.none() if restaurant is None else queryset.for_restaurant(restaurant)


class ModelRulesSerializer(serializers.ModelSerializer):
    """A ModelSerializer that also applies the model's own rules (`clean()` and database constraints)
    before saving, so a bad row is a 400 naming the field instead of an IntegrityError or a 500.

    The candidate row is the instance being edited (or a new one in the request's restaurant) with the
    validated values applied; values the model normalises in clean() (e.g. currency to upper case) are
    carried back into what is saved."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        candidate = self._candidate(attrs)
        errors: dict[str, list[str]] = {}
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            self._collect(errors, exc)
        # A row clean() refused would repeat the same fault as a constraint message; report it once.
        for constraint in [] if errors else candidate._meta.constraints:
            try:
                constraint.validate(type(candidate), candidate)
            except DjangoValidationError as exc:
                self._collect_constraint(errors, constraint, candidate, exc)
        if errors:
            raise serializers.ValidationError(errors)
        return {name: getattr(candidate, name) for name in attrs}

    def _candidate(self, attrs):
        model = self.Meta.model
        if self.instance is not None:
            candidate = copy.copy(self.instance)
        else:
            candidate = model()
            if "restaurant" in {f.name for f in model._meta.concrete_fields} and "restaurant" in self.context:
                candidate.restaurant = self.context["restaurant"]
        for name, value in attrs.items():
            setattr(candidate, name, value)
        return candidate

    def _field_key(self, field: str) -> str:
        return field if field in self.fields and field != NON_FIELD_ERRORS else "non_field_errors"

    def _collect(self, errors: dict, exc: DjangoValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                errors.setdefault(self._field_key(field), []).extend(messages)
        else:
            errors.setdefault("non_field_errors", []).extend(exc.messages)

    def _collect_constraint(self, errors: dict, constraint, candidate, exc: DjangoValidationError) -> None:
        fields = [name for name in getattr(constraint, "fields", ()) if name != "restaurant"]
        if isinstance(constraint, UniqueConstraint) and fields:
            key = self._field_key(fields[0])
            labels = " and ".join(str(candidate._meta.get_field(name).verbose_name) for name in fields)
            message = f"another {candidate._meta.verbose_name} of this restaurant already has this {labels}"
            errors.setdefault(key, []).append(message)
        else:
            errors.setdefault("non_field_errors", []).extend(exc.messages)


class DayHoursSerializer(serializers.Serializer):
    """Opening and closing time of one day, HH:MM local time."""

    open = serializers.CharField(max_length=5)
    close = serializers.CharField(max_length=5)


class DayPartSerializer(serializers.Serializer):
    """A service period (lunch, dinner...) in local time."""

    key = serializers.SlugField(max_length=32)
    name = serializers.CharField(max_length=60, required=False)
    start = serializers.CharField(max_length=5)
    end = serializers.CharField(max_length=5)


class RoutingSettingsSerializer(serializers.Serializer):
    """Tuning of the routing engine; keys left out take their defaults."""

    double_seat_window_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    double_seat_penalty = serializers.FloatField(min_value=0, max_value=1000, required=False)
    performance_covers_gap_cap = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    large_party_size = serializers.IntegerField(min_value=1, max_value=100, required=False)
    pacing_minutes = serializers.IntegerField(min_value=0, max_value=30, required=False)
    hold_minutes_max = serializers.IntegerField(min_value=0, max_value=15, required=False)
    rotation_basis = serializers.ChoiceField(choices=ROTATION_BASES, required=False)
    table_mix_minutes = serializers.IntegerField(min_value=0, max_value=30, required=False)
    tables_by_tier = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=30),
        required=False,
        help_text="Open tables a server of each tier (strong, standard, developing) carries without slowing down.",
    )
    overload_penalty = serializers.FloatField(min_value=0, max_value=1000, required=False)
    borrow_tables = serializers.BooleanField(required=False)
    borrow_penalty = serializers.FloatField(min_value=0, max_value=1000, required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(default_routing_settings()))
            if unknown:
                raise serializers.ValidationError(f"unknown settings: {', '.join(map(str, unknown))}")
        return dict(super().to_internal_value(data))


class RestaurantSerializer(ModelRulesSerializer):
    """A restaurant's settings. Managers may change them; the routing mode has its own endpoint."""

    opening_hours = serializers.DictField(
        child=DayHoursSerializer(allow_null=True),
        required=False,
        help_text='Weekday (mon..sun) to {"open": "HH:MM", "close": "HH:MM"}, or null when closed.',
    )
    day_parts = serializers.ListField(child=DayPartSerializer(), required=False, max_length=12)
    routing_settings = RoutingSettingsSerializer(required=False)

    class Meta:
        model = Restaurant
        fields = [
            "id",
            "name",
            "timezone",
            "currency",
            "opening_hours",
            "day_parts",
            "routing_mode",
            "routing_settings",
            "created_at",
        ]
        read_only_fields = ["routing_mode", "created_at"]

    def validate(self, attrs):
        # Nested serializers hand back OrderedDicts; store plain JSON.
        if attrs.get("opening_hours") is not None:
            attrs["opening_hours"] = {
                day: dict(span) if span is not None else None for day, span in attrs["opening_hours"].items()
            }
        if attrs.get("day_parts") is not None:
            attrs["day_parts"] = [dict(part) for part in attrs["day_parts"]]
        return super().validate(attrs)
