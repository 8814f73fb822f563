"""The one API router, mounted at /api/v1/ (the same with or without DEBUG).

Each app contributes its own `<app>.api.urls`; add a line here when an app gets an API. The
catch-all stays last so an unknown path under /api/v1/ is a JSON 404 in the API's error shape."""

from django.urls import include, path, re_path

from restaurant.api.errors import not_found

urlpatterns = [
    path("", include("restaurant.api.urls")),
    path("", include("floor.api.urls")),
    path("", include("staff.api.urls")),
    path("", include("scheduling.api.urls")),
    path("", include("vision.api.urls")),
    # Any character, newlines included: a path with a newline in it is a JSON 404 too.
    re_path(r"^[\s\S]*$", not_found),
]
