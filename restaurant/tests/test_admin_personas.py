"""Every admin URL, opened logged out and as each persona: the index, each app's index, and every model's
changelist, add and change page. No page may answer 500; each answers what the persona's role allows:
200 where they may look, 403 where they may not, a redirect to the login page for a visitor, and the
"doesn't exist" redirect for another restaurant's row (never a 403 that would confirm it exists).

The expected answers are written out here from the roles in docs/architecture.md, not derived from the
admin classes, so a change of who may do what has to change this table too."""

from urllib.parse import quote

import pytest
from django.test import Client

from restaurant.models import Restaurant
from restaurant.tests.admin_support import (
    READ_ONLY_MODELS,
    admin_client,
    admin_url,
    fill_restaurant,
    project_models,
)
from scheduling.tests.factories import StaffAvailabilityFactory, StaffPreferenceFactory, TimeOffFactory

MODELS = project_models()
LABELS = {model._meta.label for model in MODELS}
GLOBAL = {"vision.ClassifierModel"}  # belongs to no restaurant: superusers only
TENANT = LABELS - GLOBAL
FLOOR = {label for label in LABELS if label.startswith("floor.")}
SELF_SERVICE = {"scheduling.StaffAvailability", "scheduling.TimeOff", "scheduling.StaffPreference"}
MANAGER_ADDS = TENANT - READ_ONLY_MODELS - {"restaurant.Restaurant"}  # restaurants come from superusers

# persona -> (models they may view, models they may add)
ROLES = {
    "owner": (TENANT, MANAGER_ADDS),
    "manager": (TENANT, MANAGER_ADDS),
    "host": (FLOOR, {"floor.WaitlistEntry"}),  # the host stand keeps the waitlist
    "staff": (SELF_SERVICE, SELF_SERVICE),
    "outsider": (TENANT, MANAGER_ADDS),  # a manager, of the other restaurant
}


@pytest.fixture
def world(restaurant, other_restaurant, owner_user, manager_user, host_user, staff_user, outsider_user):
    ours = fill_restaurant(restaurant)
    fill_restaurant(other_restaurant)
    # The staff persona's own rows, beside the colleagues' rows fill_restaurant made.
    sam = staff_user.staff_profiles.get()
    own = {
        "scheduling.StaffAvailability": StaffAvailabilityFactory(staff=sam),
        "scheduling.TimeOff": TimeOffFactory(staff=sam),
        "scheduling.StaffPreference": StaffPreferenceFactory(staff=sam),
    }
    users = {
        "owner": owner_user,
        "manager": manager_user,
        "host": host_user,
        "staff": staff_user,
        "outsider": outsider_user,
    }
    return {"ours": ours, "staff_own": own, "users": users}


def row_to_open(model, persona: str, world) -> object:
    label = model._meta.label
    if persona == "staff" and label in SELF_SERVICE:
        return world["staff_own"][label]
    return world["ours"][model][0]


def expected_status(persona: str, model, view: str) -> tuple[int, str | None]:
    """(status, where a redirect goes) for a persona who entered admin."""
    label = model._meta.label
    views, adds = ROLES[persona]
    if view == "changelist":
        return (200, None) if label in views else (403, None)
    if view == "add":
        return (200, None) if label in adds else (403, None)
    # change page of one of our rows
    if label not in views:
        return 403, None
    if persona == "outsider":
        return 302, "/admin/"  # "doesn't exist": our rows are not theirs to know about
    return 200, None


def urls_of(model, row) -> dict[str, str]:
    return {
        "changelist": admin_url(model, "changelist"),
        "add": admin_url(model, "add"),
        "change": admin_url(model, "change", row.pk),
    }


def test_a_visitor_gets_the_login_page_and_every_admin_url_sends_them_there(world):
    visitor = Client()
    login = visitor.get("/admin/login/")
    assert login.status_code == 200
    assert b'name="password"' in login.content
    assert visitor.get("/admin/login/?next=/admin/scheduling/timeoff/").status_code == 200

    wrong = []
    urls = ["/admin/", *(f"/admin/{label}/" for label in {label.split(".")[0] for label in LABELS})]
    for model in MODELS:
        urls += urls_of(model, world["ours"][model][0]).values()
    for url in urls:
        response = visitor.get(url)
        login_url = f"/admin/login/?next={quote(url)}"
        if response.status_code != 302 or response["Location"] != login_url:
            wrong.append((url, response.status_code, response.get("Location")))
    assert wrong == []


@pytest.mark.django_db
def test_a_member_without_admin_access_gets_the_login_page_not_an_error(manager_user):
    client = Client()
    client.force_login(manager_user)  # a manager, but not is_staff: may not enter admin
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response.context["available_apps"] == []
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("persona", list(ROLES))
def test_every_admin_page_answers_each_role_as_its_rights_say(persona, world):
    client = admin_client(world["users"][persona])
    views, _ = ROLES[persona]
    wrong = []

    index = client.get("/admin/")
    if index.status_code != 200:
        wrong.append(("/admin/", index.status_code))
    for app_label in {label.split(".")[0] for label in LABELS}:
        url = f"/admin/{app_label}/"
        expected = 200 if any(label.startswith(f"{app_label}.") for label in views) else 404
        status = client.get(url).status_code
        if status != expected:
            wrong.append((url, status, expected))

    for model in MODELS:
        for view, url in urls_of(model, row_to_open(model, persona, world)).items():
            response = client.get(url)
            status, location = expected_status(persona, model, view)
            if response.status_code != status or (location and response["Location"] != location):
                wrong.append((url, response.status_code, status))
    assert wrong == [], f"{persona}: (url, got, expected)"


def test_staff_opening_a_colleagues_row_is_told_it_does_not_exist(world):
    client = admin_client(world["users"]["staff"])
    for label in SELF_SERVICE:
        model = next(model for model in MODELS if model._meta.label == label)
        colleagues = world["ours"][model][0]
        response = client.get(admin_url(model, "change", colleagues.pk))
        assert (response.status_code, response["Location"]) == (302, "/admin/"), label


def test_restaurant_rows_are_listed_but_never_added_by_a_manager(world):
    client = admin_client(world["users"]["manager"])
    assert client.get(admin_url(Restaurant, "changelist")).status_code == 200
    assert client.get(admin_url(Restaurant, "add")).status_code == 403
