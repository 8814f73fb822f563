"""The vision pages, mounted at /vision/."""

from django.urls import path

from vision import views

app_name = "vision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
