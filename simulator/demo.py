"""The demo restaurant: simulate weeks of history ending now, load it once, and keep the demo logins.

`seed_demo` (the management command) is a thin wrapper around `demo_seed` and `demo_logins_ensure`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from floor.models import RoutingDecision, TableStateChange, Visit, VisitItem, WaitlistEntry
from restaurant.models import Membership, Restaurant, Role
from simulator.config import RestaurantConfig
from simulator.history import History, simulate_history
from simulator.loader import LoadResult, Progress, history_load
from staff.models import Shift, StaffMember, StaffRole

DEFAULT_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed for a newcomer."""

    username: str
    password: str
    role: str
    note: str


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def demo_restaurant(config: RestaurantConfig | None = None) -> Restaurant | None:
    """The demo restaurant if it was loaded (found by name)."""
    name = (config or RestaurantConfig.demo()).name
    return Restaurant.objects.filter(name=name).order_by("id").first()


def demo_history(*, now: datetime, weeks: int, seed: int, config: RestaurantConfig | None = None) -> History:
    """`weeks` whole weeks before today (local) plus today up to `now`, mid-service."""
    config = config or RestaurantConfig.demo()
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    start = today - timedelta(days=7 * weeks)
    return simulate_history(config, start=start, days=7 * weeks + 1, seed=seed, now=now)


@transaction.atomic
def demo_restaurant_delete(*, restaurant: Restaurant) -> None:
    """Delete a restaurant and everything in it. Visits protect their tables, so they go first; the
    large tables are deleted with one query each rather than loaded into memory."""
    VisitItem.objects.filter(visit__restaurant=restaurant).delete()
    RoutingDecision.objects.filter(restaurant=restaurant).delete()
    Visit.objects.filter(restaurant=restaurant).delete()
    WaitlistEntry.objects.filter(restaurant=restaurant).delete()
    TableStateChange.objects.filter(restaurant=restaurant).delete()
    restaurant.tables.all().delete()
    restaurant.delete()


def demo_seed(*, history: History, reset: bool = False, progress: Progress | None = None) -> LoadResult | None:
    """Load a demo history unless its restaurant is there already (None then); `reset` replaces it."""
    existing = demo_restaurant(history.config)
    if existing is not None:
        if not reset:
            return None
        demo_restaurant_delete(restaurant=existing)
    return history_load(history=history, progress=progress)


@transaction.atomic
def demo_logins_ensure(*, restaurant: Restaurant, password: str) -> list[DemoLogin]:
    """Create (or repair) the demo users: admin, manager, host and a staff member linked to a server."""
    User = get_user_model()
    accounts = [
        ("admin", None, True, True, "superuser: every restaurant, all of Django admin"),
        ("manager", Role.MANAGER, True, False, "manager of the demo restaurant; dashboards and admin"),
        ("host", Role.HOST, True, False, "host stand: floor, waitlist, seating; waitlist in admin"),
        ("staff", Role.STAFF, True, False, ""),
    ]
    server = _server_for_staff_login(restaurant)
    logins = []
    for username, role, is_staff, is_superuser, note in accounts:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        user.is_staff, user.is_superuser, user.is_active = is_staff, is_superuser, True
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        if role is not None:
            Membership.objects.update_or_create(user=user, restaurant=restaurant, defaults={"role": role})
        if username == "staff" and server is not None:
            StaffMember.objects.filter(user=user).exclude(pk=server.pk).update(user=None)
            if server.user_id != user.pk:
                server.user = user
                server.save(update_fields=["user"])
            note = f"server {server.name}: own availability, time off and preferences in admin"
        logins.append(DemoLogin(username, password, role or "superuser", note))
    return logins


def _server_for_staff_login(restaurant: Restaurant) -> StaffMember | None:
    """The server the staff login speaks for: one already linked, else one on the floor now."""
    servers = StaffMember.objects.for_restaurant(restaurant).filter(role=StaffRole.SERVER)
    linked = servers.filter(user__username="staff").first()
    if linked is not None:
        return linked
    on_floor = Shift.objects.for_restaurant(restaurant).open().filter(role=StaffRole.SERVER).order_by("staff__name")
    shift = on_floor.select_related("staff").first()
    return shift.staff if shift else servers.order_by("name").first()
