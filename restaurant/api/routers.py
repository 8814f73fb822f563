"""The router every app's api/urls.py uses, so ids are typed the same way everywhere."""

from rest_framework.routers import SimpleRouter

# The restaurant in every nested route. Django's int converter: `/restaurants/abc/` matches nothing and
# gets the JSON 404, and the schema types the parameter as an integer.
RESTAURANT_PREFIX = "restaurants/<int:restaurant_id>"


def make_router() -> SimpleRouter:
    """A router of path() routes; viewsets set `lookup_value_converter = "int"` for integer ids."""
    return SimpleRouter(use_regex_path=False)
