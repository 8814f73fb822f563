"""Serializers of the scheduling API: inputs validated here, rules applied by the services."""

from datetime import date

from rest_framework import serializers

from floor.models import Section
from restaurant.api.serializers import ModelRulesSerializer, TenantPrimaryKeyRelatedField
from scheduling.engine import ENGINES
from scheduling.models import (
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleReasoning,
    ScheduleRun,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
)
from staff.models import StaffMember, StaffRole


class StaffAvailabilitySerializer(ModelRulesSerializer):
    """A weekly window someone can (or cannot) work."""

    staff = TenantPrimaryKeyRelatedField(queryset=StaffMember.objects.all())

    class Meta:
        model = StaffAvailability
        fields = [
            "id",
            "staff",
            "weekday",
            "start_time",
            "end_time",
            "available",
            "effective_from",
            "effective_until",
            "notes",
        ]

    def validate_staff(self, staff):
        own = self.context.get("own_staff")
        if own is not None and staff != own:
            raise serializers.ValidationError("staff members keep only their own availability")
        return staff


class AvailabilityBulkSerializer(serializers.Serializer):
    items = StaffAvailabilitySerializer(many=True, allow_empty=False, max_length=200)


class StaffPreferenceSerializer(ModelRulesSerializer):
    """What someone would like: roles, day-parts, sections, hours."""

    # Plain strings checked against StaffRole here: a second enum of the same choices would clash in the schema.
    roles = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=5, help_text=f"of {StaffRole.values}"
    )
    day_parts = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, max_length=12)
    sections = TenantPrimaryKeyRelatedField(queryset=Section.objects.all(), many=True, required=False)

    class Meta:
        model = StaffPreference
        fields = [
            "staff",
            "roles",
            "day_parts",
            "sections",
            "min_hours_per_week",
            "max_hours_per_week",
            "max_shifts_per_week",
            "notes",
        ]
        read_only_fields = ["staff"]

    def validate_roles(self, value):
        unknown = sorted(set(value) - set(StaffRole.values))
        if unknown:
            raise serializers.ValidationError(f"unknown roles {unknown}; roles are {StaffRole.values}")
        return value

    def validate_day_parts(self, value):
        known = self.context["restaurant"].day_part_keys()
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise serializers.ValidationError(f"unknown day-parts {unknown}; this restaurant has {known}")
        return value

    def validate(self, attrs):
        sections = attrs.pop("sections", None)
        attrs = super().validate(attrs)
        if sections is not None:
            attrs["sections"] = sections
        return attrs

    def _candidate(self, attrs):
        candidate = super()._candidate(attrs)
        candidate.staff = self.context["staff"]
        candidate.restaurant = self.context["restaurant"]
        return candidate


class StaffingRequirementSerializer(ModelRulesSerializer):
    class Meta:
        model = StaffingRequirement
        fields = ["id", "weekday", "day_part", "role", "min_staff", "target_staff", "max_staff"]


class TimeOffSerializer(ModelRulesSerializer):
    staff = TenantPrimaryKeyRelatedField(queryset=StaffMember.objects.all())

    class Meta:
        model = TimeOff
        fields = [
            "id",
            "staff",
            "start_date",
            "end_date",
            "reason",
            "status",
            "decided_by",
            "resubmitted_at",
            "previous_dates",
            "created_at",
        ]
        read_only_fields = ["decided_by", "resubmitted_at", "previous_dates", "created_at"]

    def validate_staff(self, staff):
        own = self.context.get("own_staff")
        if own is not None and staff != own:
            raise serializers.ValidationError("staff members keep only their own time off")
        return staff


class ReasoningSerializer(serializers.Serializer):
    summary = serializers.CharField()
    factors = serializers.DictField()
    alternatives = serializers.ListField()
    source = serializers.CharField()


class ScheduleItemSerializer(serializers.ModelSerializer):
    """A shift. `start_time`/`end_time` default to the day-part's times."""

    staff = TenantPrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    section = TenantPrimaryKeyRelatedField(queryset=Section.objects.all(), required=False, allow_null=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    start_time = serializers.TimeField(required=False)
    end_time = serializers.TimeField(required=False)
    reasoning = serializers.SerializerMethodField()

    class Meta:
        model = ScheduleItem
        fields = [
            "id",
            "staff",
            "staff_name",
            "date",
            "day_part",
            "role",
            "section",
            "start_time",
            "end_time",
            "score",
            "source",
            "locked",
            "reasoning",
        ]
        read_only_fields = ["score", "source"]

    def get_reasoning(self, item) -> dict | None:
        try:
            return ReasoningSerializer(item.reasoning).data
        except ScheduleReasoning.DoesNotExist:  # added by hand: no engine reason
            return None


# A week the engine and the forecaster can work with: its history weeks and the days after it are real dates.
WEEK_START_RANGE = (date(2000, 1, 1), date(2100, 12, 31))


def week_start_checked(value: date) -> date:
    """A schedule's, a run's or a forecast's week: a Monday within WEEK_START_RANGE."""
    if value.weekday() != 0:
        raise serializers.ValidationError("must be a Monday")
    if not WEEK_START_RANGE[0] <= value <= WEEK_START_RANGE[1]:
        raise serializers.ValidationError(
            f"must be between {WEEK_START_RANGE[0].isoformat()} and {WEEK_START_RANGE[1].isoformat()}"
        )
    return value


class ScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Schedule
        fields = [
            "id",
            "week_start",
            "version",
            "status",
            "notes",
            "fairness",
            "created_by",
            "created_at",
            "published_at",
            "published_by",
        ]
        read_only_fields = ["version", "status", "fairness", "created_by", "created_at", "published_at", "published_by"]

    def validate_week_start(self, value):
        value = week_start_checked(value)
        if self.instance is not None and value != self.instance.week_start:
            raise serializers.ValidationError("a schedule's week cannot change; create a new one")
        return value


class ScheduleAuditSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = ScheduleAuditEntry
        fields = ["id", "action", "actor", "details", "at"]


class RunRequestSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    engine = serializers.ChoiceField(choices=sorted(ENGINES), default="cpsat")
    time_limit = serializers.FloatField(min_value=0.5, max_value=120, default=10.0)
    max_shifts_per_day = serializers.IntegerField(min_value=1, max_value=3, default=1)
    min_rest_hours = serializers.FloatField(min_value=0, max_value=24, default=10.0)

    def validate_week_start(self, value):
        return week_start_checked(value)


class RunCreatedSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    status = serializers.CharField()


class RunSerializer(serializers.ModelSerializer):
    """A run: status, progress 0-100, the draft it made and its figures."""

    run_id = serializers.IntegerField(source="pk")
    progress = serializers.SerializerMethodField()
    schedule_id = serializers.IntegerField(allow_null=True)
    metrics = serializers.JSONField(source="summary")

    class Meta:
        model = ScheduleRun
        fields = [
            "run_id",
            "week_start",
            "status",
            "progress",
            "progress_message",
            "schedule_id",
            "solver",
            "solver_status",
            "objective",
            "optimality_gap",
            "metrics",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_progress(self, run) -> int:
        return int(round(run.progress * 100))


class ForecastQuerySerializer(serializers.Serializer):
    week_start = serializers.DateField()

    def validate_week_start(self, value):
        return week_start_checked(value)
