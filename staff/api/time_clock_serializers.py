"""Input and output of the time clock and the host's rotation overrides."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from floor.models import Section
from restaurant.api.serializers import TenantPrimaryKeyRelatedField
from staff.models import Shift, StaffRole
from staff.services import MAX_ROTATION_OFFSET


class ClockInSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=StaffRole.choices, required=False, allow_null=True, help_text="Default: the staff member's role."
    )
    section_id = TenantPrimaryKeyRelatedField(
        queryset=Section.objects.all(), required=False, allow_null=True, help_text="The section they work."
    )


class RotationMoveSerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        min_value=-MAX_ROTATION_OFFSET,
        max_value=MAX_ROTATION_OFFSET,
        help_text="Places from where the rotation puts them: negative is earlier, positive later, 0 resets. "
        "Absolute, not added, so a retried request lands on the same place.",
    )


class ShiftStatusSerializer(serializers.ModelSerializer):
    """A shift after a time-clock change or an override: open or closed, on break or not, the overrides."""

    staff_id = serializers.IntegerField(read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    section_id = serializers.IntegerField(read_only=True, allow_null=True)
    on_break = serializers.SerializerMethodField()
    break_started_at = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "staff_id",
            "staff_name",
            "role",
            "section_id",
            "clock_in",
            "clock_out",
            "on_break",
            "break_started_at",
            "cut",
            "skip_next",
            "rotation_offset",
        ]
        read_only_fields = fields

    def _open_break(self, shift):
        if not hasattr(shift, "_open_break"):
            shift._open_break = shift.breaks.filter(ended_at__isnull=True).first()
        return shift._open_break

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_on_break(self, shift) -> bool:
        return self._open_break(shift) is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_break_started_at(self, shift):
        open_break = self._open_break(shift)
        return serializers.DateTimeField().to_representation(open_break.started_at) if open_break else None
