"""Root URLs: health, auth pages, admin, the API and each app's dashboards."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from restaurant import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/endpoints/<int:endpoint_id>/test", views.integrations_endpoint_test, name="integrations-test"),
    path(
        "integrations/endpoints/<int:endpoint_id>/enable",
        views.integrations_endpoint_enable,
        name="integrations-enable",
    ),
    path(
        "integrations/deliveries/<int:delivery_id>/replay",
        views.integrations_delivery_replay,
        name="integrations-replay",
    ),
    path(
        "integrations/inbox/<int:inbox_event_id>/replay",
        views.integrations_inbox_replay,
        name="integrations-inbox-replay",
    ),
    path("floor/", include("floor.urls")),
    path("staff/", include("staff.urls")),
    path("schedule/", include("scheduling.urls")),
    path("vision/", include("vision.urls")),
    path("api/v1/", include("restaurant.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): no inline script, for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
