"""The schedule pages, mounted at /schedule/."""

from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mine/", views.my_shifts, name="my-shifts"),
]
