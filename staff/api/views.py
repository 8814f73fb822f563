"""Staff over the API: who works at the restaurant, in which role."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets

from restaurant.api.errors import Conflict
from restaurant.api.scoping import RestaurantScopedMixin
from restaurant.models import MANAGING_ROLES
from staff.api.filters import StaffMemberFilter
from staff.api.serializers import StaffMemberPublicSerializer, StaffMemberSerializer
from staff.models import StaffMember


@extend_schema(tags=["staff"])
class StaffMemberViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """Staff members. Managers edit them; hosts and staff read them without pay rates. A member with
    worked shifts or served visits is deactivated (`active: false`), not deleted, so history stays whole."""

    queryset = StaffMember.objects.all()
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilter
    ordering_fields = ["name", "role", "tier", "id"]
    ordering = ["name", "id"]

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or self.get_role() in (*MANAGING_ROLES, "api"):
            return StaffMemberSerializer
        return StaffMemberPublicSerializer

    def perform_destroy(self, instance):
        if instance.shifts.exists() or instance.visits.exists():
            raise Conflict(
                f"{instance.name} has worked shifts or served visits; deactivate them (active: false) instead."
            )
        instance.delete()
