"""Login, logout, the home page that links to each dashboard, and the managers' integrations page."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from restaurant.exceptions import DomainError
from restaurant.login_guard import remember_device
from restaurant.models import MANAGING_ROLES, InboxEvent, InboxStatus, OutboxEvent, Restaurant, Role, WebhookEndpoint
from restaurant.selectors import managed_restaurants, restaurants_for, role_in
from restaurant.selectors.webhooks import (
    deliveries_per_hour,
    recent_failed_attempts,
    recent_inbox_events,
    recent_outbox_events,
    webhook_endpoints_with_health,
)
from restaurant.services.inbox import inbox_event_replay
from restaurant.services.webhooks import outbox_event_replay, webhook_endpoint_enable, webhook_endpoint_send_test


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
    roles = [(r, role_in(request.user, r)) for r in restaurants]
    memberships = [(r, _role_label(role)) for r, role in roles]
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "restaurant": memberships[0][0] if memberships else None,
            "dashboards": dashboards(),
            "manages_integrations": any(role in MANAGING_ROLES for _, role in roles),
        },
    )


# --- The integrations page (managers): webhook endpoints' health, deliveries, the inbox ---


def _managed_restaurant(request, wanted: str | None) -> tuple[Restaurant, list[Restaurant]]:
    restaurants = list(managed_restaurants(request.user).order_by("name", "id"))
    if not restaurants:
        raise PermissionDenied("Integrations are for owners and managers.")
    if not wanted:
        return restaurants[0], restaurants
    chosen = next((r for r in restaurants if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404("No such restaurant among yours.")
    return chosen, restaurants


@login_required
def integrations(request):
    """Each endpoint's health, recent deliveries and failures with their attempts, deliveries per hour,
    and the inbox's recent events; buttons to send a test event, turn an endpoint back on, replay."""
    restaurant, restaurants = _managed_restaurant(request, request.GET.get("restaurant"))
    hourly = deliveries_per_hour(restaurant=restaurant)
    return render(
        request,
        "restaurant/integrations.html",
        {
            "restaurant": restaurant,
            "restaurants": restaurants,
            "endpoints": webhook_endpoints_with_health(restaurant=restaurant),
            "deliveries": recent_outbox_events(restaurant=restaurant),
            "failures": recent_failed_attempts(restaurant=restaurant),
            "inbox": recent_inbox_events(restaurant=restaurant),
            "chart": {
                "hours": [slot.hour.strftime("%H:00") for slot in hourly],
                "delivered": [slot.delivered for slot in hourly],
                "failed": [slot.failed for slot in hourly],
            },
        },
    )


def _back_to_integrations(restaurant: Restaurant):
    return redirect(f"{reverse('integrations')}?restaurant={restaurant.pk}")


def _managed_row(request, queryset, pk: int):
    """A row of a restaurant the user manages (404 otherwise: another restaurant's ids are not confirmed)."""
    return get_object_or_404(queryset.for_restaurants(managed_restaurants(request.user)), pk=pk)


@login_required
@require_POST
def integrations_endpoint_test(request, endpoint_id: int):
    endpoint = _managed_row(request, WebhookEndpoint.objects.select_related("restaurant"), endpoint_id)
    webhook_endpoint_send_test(endpoint=endpoint)
    messages.success(request, f"A test event is on its way to {endpoint.name}.")
    return _back_to_integrations(endpoint.restaurant)


@login_required
@require_POST
def integrations_endpoint_enable(request, endpoint_id: int):
    endpoint = _managed_row(request, WebhookEndpoint.objects.select_related("restaurant"), endpoint_id)
    webhook_endpoint_enable(endpoint=endpoint)
    messages.success(request, f"{endpoint.name} is on again; its pending events are being sent.")
    return _back_to_integrations(endpoint.restaurant)


@login_required
@require_POST
def integrations_delivery_replay(request, delivery_id: int):
    event = _managed_row(request, OutboxEvent.objects.select_related("restaurant", "endpoint"), delivery_id)
    outbox_event_replay(event=event)
    messages.success(request, f"{event.event_type} to {event.endpoint.name} will be sent again.")
    return _back_to_integrations(event.restaurant)


@login_required
@require_POST
def integrations_inbox_replay(request, inbox_event_id: int):
    event = _managed_row(request, InboxEvent.objects.select_related("restaurant"), inbox_event_id)
    try:
        event = inbox_event_replay(event=event)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        outcome = "applied" if event.status == InboxStatus.PROCESSED else f"still {event.get_status_display().lower()}"
        messages.success(request, f"{event.event_type} {event.event_id} replayed: {outcome}.")
    return _back_to_integrations(event.restaurant)
