"""The shared mechanism that scopes API views to the caller's restaurant.

Nested routes carry the restaurant in the URL (`/api/v1/restaurants/{restaurant_id}/...`). The
restaurant is looked up among those the caller may see, so another restaurant's id is a 404, never a
403 that would confirm it exists; every queryset then goes through the model's `for_restaurant`."""

from django.shortcuts import get_object_or_404
from rest_framework import permissions

from restaurant.models import FLOOR_ROLES, MANAGING_ROLES
from restaurant.selectors import api_client_of, restaurants_for, role_in


class RestaurantRolePermission(permissions.BasePermission):
    """Reads for every member and API client of the restaurant; writes for the roles and scopes a view
    names in `write_roles` (default: managers) and `write_scopes` (default: none)."""

    def has_permission(self, request, view):
        role = view.get_role()  # raises 404 for a restaurant the caller cannot see
        if role is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.lookup_url_kwarg_value() is not None:
            view.get_object()  # an unknown id (or another restaurant's) is a 404 before any 403
        client = api_client_of(request.user)
        if client is not None:
            return any(client.has_scope(scope) for scope in getattr(view, "write_scopes", ()))
        return role in getattr(view, "write_roles", MANAGING_ROLES)


class RestaurantScopedMixin:
    """For views under /restaurants/{restaurant_id}/. Set `queryset` (its model's manager must have
    `for_restaurant`) or override `get_base_queryset`; writers are named by `write_roles`/`write_scopes`."""

    restaurant_url_kwarg = "restaurant_id"
    lookup_value_converter = "int"
    permission_classes = [permissions.IsAuthenticated, RestaurantRolePermission]
    write_roles = MANAGING_ROLES
    write_scopes: tuple[str, ...] = ()

    def get_restaurant(self):
        if not hasattr(self, "_restaurant"):
            self._restaurant = get_object_or_404(
                restaurants_for(self.request.user), pk=self.kwargs[self.restaurant_url_kwarg]
            )
        return self._restaurant

    def get_role(self) -> str | None:
        if not hasattr(self, "_role"):
            self._role = role_in(self.request.user, self.get_restaurant())
        return self._role

    def lookup_url_kwarg_value(self):
        return self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)

    def get_object(self):
        # Memoised: the permission check may load the object before the handler does.
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object

    def get_base_queryset(self):
        return self.queryset.model.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no restaurant
            return self.get_base_queryset().none()
        return self.get_base_queryset().for_restaurant(self.get_restaurant())

    def perform_create(self, serializer):
        serializer.save(restaurant=self.get_restaurant())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.kwargs.get(self.restaurant_url_kwarg) is not None:
            context["restaurant"] = self.get_restaurant()
        return context


FLOOR_WRITE_ROLES = FLOOR_ROLES
