"""Login, logout and the home page that links to each dashboard."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from restaurant.login_guard import remember_device
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


class LoginForm(AuthenticationForm):
    def get_invalid_login_error(self):
        if getattr(self.request, "account_locked", False):
            return ValidationError(
                "Too many failed logins for this account from several addresses: it takes no password from a "
                "new device for up to %(minutes)s minutes. A device you have logged in from before still can.",
                code="account_locked",
                params={"minutes": settings.LOGIN_ACCOUNT_COOLOFF_MINUTES},
            )
        return super().get_invalid_login_error()


class LoginView(auth_views.LoginView):
    """Session login for the dashboards. django-axes locks an account+address after repeated failures;
    restaurant/login_guard.py bounds an account's failures across addresses, and this view marks the
    browser as a known device of the account on success (exempt from that account-wide lock)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(response, form.get_user().get_username())
        return response


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
