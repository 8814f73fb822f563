"""Login, logout and the home page that links to each dashboard."""

from dataclasses import dataclass

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from restaurant.models import Role
from restaurant.selectors import restaurants_for, role_in


@dataclass(frozen=True)
class Dashboard:
    """One dashboard card on the home page; url is None until its app routes it."""

    title: str
    description: str
    url: str | None


# Each app names its dashboard "<app>:dashboard"; a card links as soon as that name resolves.
DASHBOARDS = [
    ("Floor", "floor:dashboard", "Tables, waitlist and where to seat the next party."),
    ("Staff", "staff:dashboard", "Servers' performance, tiers and insights."),
    ("Schedule", "scheduling:dashboard", "Availability, requirements and the weekly schedule."),
    ("Vision", "vision:dashboard", "Cameras, table regions and what they see."),
]


def _reverse_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def dashboards() -> list[Dashboard]:
    return [Dashboard(title, description, _reverse_or_none(name)) for title, name, description in DASHBOARDS]


class LoginView(auth_views.LoginView):
    """Session login for the dashboards and admin; django-axes locks an account+address after repeated failures."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logs out on POST only (a GET must not change state)."""


def _role_label(role: str | None) -> str:
    return Role(role).label if role in Role.values else ""


@login_required
def home(request):
    restaurants = restaurants_for(request.user).order_by("name", "id")
    memberships = [(r, _role_label(role_in(request.user, r))) for r in restaurants]
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "restaurant": memberships[0][0] if memberships else None,
            "dashboards": dashboards(),
        },
    )
