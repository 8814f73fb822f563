"""The floor's pages, mounted at /floor/."""

from django.urls import path

from floor import views

app_name = "floor"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
