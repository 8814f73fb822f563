from restaurant.api.serializers import ModelRulesSerializer
from staff.models import StaffMember

_STAFF_FIELDS = [
    "id",
    "name",
    "role",
    "email",
    "phone",
    "hired_on",
    "active",
    "is_performance_tracked",
    "tier",
    "tier_score",
    "tier_updated_at",
    "tier_locked",
    "tier_reason",
    "user",
]
# Tiers are set by the weekly job or a manager's override (their own endpoint), never by a plain edit.
_STAFF_READ_ONLY = [
    "is_performance_tracked",
    "tier",
    "tier_score",
    "tier_updated_at",
    "tier_locked",
    "tier_reason",
    "user",
]


class StaffMemberSerializer(ModelRulesSerializer):
    """A staff member as managers and integrations see them, pay rate included."""

    class Meta:
        model = StaffMember
        fields = [*_STAFF_FIELDS[:5], "hourly_rate", *_STAFF_FIELDS[5:]]
        read_only_fields = _STAFF_READ_ONLY


class StaffMemberPublicSerializer(ModelRulesSerializer):
    """A staff member as colleagues see them: no pay rate."""

    class Meta:
        model = StaffMember
        fields = _STAFF_FIELDS
        read_only_fields = _STAFF_FIELDS
