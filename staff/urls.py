"""The staff pages, mounted at /staff/."""

from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<int:staff_id>/", views.member, name="member"),
]
