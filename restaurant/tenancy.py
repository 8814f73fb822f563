"""The one mechanism that scopes rows to a restaurant.

Every tenant-owned model uses `TenantQuerySet` and names the path to its restaurant in
`tenant_field` ("restaurant" for most, "visit__restaurant" for a visit's items). API views,
dashboards and admin all filter through `for_restaurant` / `for_restaurants`."""

from django.db import models


class TenantQuerySet(models.QuerySet):
    def _tenant_field(self) -> str:
        return getattr(self.model, "tenant_field", "restaurant")

    def for_restaurant(self, restaurant) -> "TenantQuerySet":
        return self.filter(**{self._tenant_field(): restaurant})

    def for_restaurants(self, restaurants) -> "TenantQuerySet":
        return self.filter(**{f"{self._tenant_field()}__in": restaurants})


def restaurant_of(obj):
    """The restaurant an instance belongs to, following its model's tenant_field."""
    value = obj
    for part in getattr(type(obj), "tenant_field", "restaurant").split("__"):
        value = getattr(value, part)
    return value
