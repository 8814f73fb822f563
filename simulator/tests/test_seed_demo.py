"""`manage.py seed_demo` against the real database: what it loads, that it loads once, that the
floor of today is alive and consistent, and that the printed demo logins work."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.urls import reverse

from floor.models import MenuItem, Section, Table, TableStateChange, Visit, VisitItem, WaitlistEntry
from restaurant.models import Membership, Restaurant
from scheduling.models import StaffAvailability, StaffingRequirement, StaffPreference, TimeOff
from staff.models import Shift, ShiftBreak, StaffMember

# A Friday evening in New York: dinner is in full swing.
NOW = "2026-05-01T19:30:00-04:00"
MODELS = (
    Restaurant,
    Table,
    StaffMember,
    Shift,
    ShiftBreak,
    Visit,
    VisitItem,
    WaitlistEntry,
    TableStateChange,
    StaffAvailability,
    StaffPreference,
    StaffingRequirement,
    TimeOff,
    Membership,
)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--weeks", "1", "--now", NOW, *args, stdout=out, verbosity=0)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_seed_demo_loads_a_week_of_history_once_and_a_second_run_changes_nothing():
    first_output = seed()
    loaded = counts()
    assert loaded["Restaurant"] == 1
    assert 30 <= loaded["Table"] <= 60 and 20 <= loaded["StaffMember"] <= 30
    assert loaded["Visit"] > 500 and loaded["VisitItem"] > 3 * loaded["Visit"]
    assert loaded["Shift"] > 100 and loaded["StaffAvailability"] > 100
    assert "manager" in first_output

    second_output = seed()
    assert counts() == loaded
    assert "already loaded" in second_output


@pytest.mark.django_db
def test_reset_replaces_the_demo_restaurant_without_duplicating_it():
    seed()
    before = counts()
    old = Restaurant.objects.get()
    seed("--reset")
    assert counts() == before
    assert Restaurant.objects.get().pk != old.pk


@pytest.mark.django_db
def test_the_demo_restaurant_is_set_up_like_the_model_expects():
    seed()
    restaurant = Restaurant.objects.get()
    assert restaurant.name == "Demo Bistro" and restaurant.timezone == "America/New_York"
    restaurant.full_clean()
    keys = set(restaurant.day_part_keys())
    assert set(StaffingRequirement.objects.values_list("day_part", flat=True)) == keys
    for preference in StaffPreference.objects.all():
        assert preference.min_hours_per_week <= preference.max_hours_per_week
        assert set(preference.day_parts) <= keys
    # Every kind of row passes its model's own validation (field choices, clean(), constraints).
    for model in (*MODELS, Section, MenuItem):
        for row in model.objects.order_by("?")[:15]:
            row.full_clean()
    assert not Visit.objects.filter(closed_at__lt=F("seated_at")).exists()
    assert not Shift.objects.filter(clock_out__lte=F("clock_in")).exists()
    # One open shift per person and one open visit per table: the database enforces both, and they hold.
    assert not Shift.objects.open().values("staff").annotate(n=Count("id")).filter(n__gt=1).exists()
    open_visits = Visit.objects.filter(closed_at__isnull=True)
    assert not open_visits.values("table").annotate(n=Count("id")).filter(n__gt=1).exists()


@pytest.mark.django_db
def test_todays_floor_is_alive_and_every_table_state_matches_its_history():
    seed()
    on_floor = Shift.objects.open()
    assert on_floor.filter(role="server", section__isnull=False).count() >= 4
    assert on_floor.filter(role="host").exists() and on_floor.filter(role="busser").exists()
    open_visits = Visit.objects.filter(closed_at__isnull=True)
    occupied = Table.objects.filter(state="occupied")
    assert open_visits.count() >= 10
    assert set(occupied.values_list("id", flat=True)) == set(open_visits.values_list("table_id", flat=True))
    assert VisitItem.objects.filter(visit__in=open_visits).exists()
    assert set(open_visits.values_list("server_id", flat=True)) <= set(on_floor.values_list("staff_id", flat=True))
    waiting = WaitlistEntry.objects.filter(status__in=["waiting", "notified"])
    assert 1 <= waiting.count() <= 8
    assert not waiting.filter(Q(quoted_wait_minutes__isnull=True) | Q(seated_at__isnull=False)).exists()
    for table in Table.objects.all():
        last = table.state_changes.order_by("-at", "-id").first()
        assert table.state == (last.to_state if last else "available")
        if last:
            assert table.state_changed_at == last.at


@pytest.mark.django_db
def test_demo_logins_sign_in_with_their_roles(client):
    output = seed()
    User = get_user_model()
    restaurant = Restaurant.objects.get()
    roles = dict(Membership.objects.filter(restaurant=restaurant).values_list("user__username", "role"))
    assert roles == {"manager": "manager", "host": "host", "staff": "staff"}
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="manager").is_staff
    staff_user = User.objects.get(username="staff")
    assert staff_user.is_staff
    server = StaffMember.objects.get(user=staff_user)
    assert server.role == "server" and server.restaurant == restaurant
    for username in ("admin", "manager", "host", "staff"):
        assert f"{username} " in output
        response = client.post(reverse("login"), {"username": username, "password": "demo-pass-2026"})
        assert response.status_code == 302, username
        client.logout()
    client.force_login(staff_user)
    assert client.get(reverse("admin:scheduling_staffavailability_changelist")).status_code == 200


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment_and_a_rerun_applies_it(client, monkeypatch):
    seed()
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret-42")
    output = seed()
    assert "another-secret-42" in output
    response = client.post(reverse("login"), {"username": "host", "password": "another-secret-42"})
    assert response.status_code == 302
    assert StaffMember.objects.filter(user__username="staff").count() == 1


@pytest.mark.django_db
def test_seed_demo_refuses_a_time_without_an_offset_and_writes_nothing():
    with pytest.raises(CommandError, match="offset"):
        call_command("seed_demo", "--weeks", "1", "--now", "2026-05-01T19:30:00", verbosity=0)
    with pytest.raises(CommandError, match="weeks"):
        call_command("seed_demo", "--weeks", "0", verbosity=0)
    assert not Restaurant.objects.exists()
