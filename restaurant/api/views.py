"""The caller's restaurants: list, read, and settings changes by their managers."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets

from restaurant.api.serializers import RestaurantSerializer
from restaurant.models import MANAGING_ROLES, Restaurant
from restaurant.selectors import api_client_of, restaurants_for, role_in


class RestaurantManagerPermission(permissions.BasePermission):
    """Reads for anyone who may see the restaurant; changes for its owners and managers, never for a key."""

    # Decided on the object, so another restaurant's id is a 404 (not in the queryset) before any 403.
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        if api_client_of(request.user) is not None:
            return False
        return role_in(request.user, obj) in MANAGING_ROLES


@extend_schema_view(
    list=extend_schema(summary="The caller's restaurants"),
    retrieve=extend_schema(summary="One restaurant's settings"),
    partial_update=extend_schema(summary="Change settings (owners and managers)"),
)
@extend_schema(tags=["restaurants"])
class RestaurantViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Restaurants come from admin onboarding; the API lists and edits them, it does not create or delete."""

    serializer_class = RestaurantSerializer
    permission_classes = [permissions.IsAuthenticated, RestaurantManagerPermission]
    lookup_value_converter = "int"
    http_method_names = ["get", "patch", "head", "options"]
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Restaurant.objects.none()
        return restaurants_for(self.request.user).order_by("name", "id")
