from django_filters import rest_framework as filters

from staff.models import StaffMember, StaffRole, Tier


class StaffMemberFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=StaffRole.choices)
    tier = filters.ChoiceFilter(choices=Tier.choices)

    class Meta:
        model = StaffMember
        fields = ["role", "active", "tier"]
