"""Tenancy, endpoint by endpoint: a user or key of one restaurant never sees or changes another's rows,
and roles decide who may write. Every request goes through real authentication (session or Api-Key)."""

import pytest

from floor.models import MenuItem, Section, Table
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory
from staff.models import StaffMember
from staff.tests.factories import StaffMemberFactory

RESOURCES = ["sections", "tables", "staff", "menu-items"]
MODELS = {"sections": Section, "tables": Table, "staff": StaffMember, "menu-items": MenuItem}
READERS = ["manager_api", "owner_api", "host_api", "staff_api", "key_api"]
TENANT_CALLERS = ["manager_api", "key_api"]


def setup_objects(restaurant) -> dict:
    """One object of each resource in a restaurant."""
    section = SectionFactory(restaurant=restaurant)
    return {
        "sections": section,
        "tables": TableFactory(section=section),
        "staff": StaffMemberFactory(restaurant=restaurant),
        "menu-items": MenuItemFactory(restaurant=restaurant),
    }


def create_payload(resource: str, objects: dict) -> dict:
    return {
        "sections": {"name": "Terrace"},
        "tables": {"label": "NEW1", "section": objects["sections"].pk},
        "staff": {"name": "Nia New", "role": "runner"},
        "menu-items": {"name": "Onion soup", "category": "appetizer", "price": "7.50"},
    }[resource]


def update_payload(resource: str) -> dict:
    return {
        "sections": {"name": "Renamed"},
        "tables": {"label": "RENAMED"},
        "staff": {"name": "Renamed Person"},
        "menu-items": {"price": "1.00"},
    }[resource]


@pytest.fixture
def ours(restaurant):
    return setup_objects(restaurant)


@pytest.fixture
def theirs(other_restaurant):
    return setup_objects(other_restaurant)


def url(restaurant, resource, obj=None) -> str:
    base = f"/api/v1/restaurants/{restaurant.pk}/{resource}/"
    return base if obj is None else f"{base}{obj.pk}/"


def assert_error(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    if code is not None:
        assert body["error"]["code"] == code


# --- another restaurant's rows: 404, never a hint they exist ---


@pytest.mark.django_db
@pytest.mark.parametrize("caller", TENANT_CALLERS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_list_under_another_restaurants_prefix_is_404(request, caller, resource, ours, theirs, other_restaurant):
    client = request.getfixturevalue(caller)
    assert_error(client.get(url(other_restaurant, resource)), 404, "not_found")
    assert_error(client.post(url(other_restaurant, resource), create_payload(resource, theirs)), 404)
    assert MODELS[resource].objects.for_restaurant(other_restaurant).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("caller", TENANT_CALLERS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_another_restaurants_object_is_404_under_either_prefix(
    request, caller, resource, restaurant, other_restaurant, ours, theirs
):
    client = request.getfixturevalue(caller)
    foreign = theirs[resource]
    for prefix in (restaurant, other_restaurant):
        assert_error(client.get(url(prefix, resource, foreign)), 404, "not_found")
        assert_error(client.patch(url(prefix, resource, foreign), update_payload(resource)), 404)
        assert_error(client.put(url(prefix, resource, foreign), create_payload(resource, theirs)), 404)
        assert_error(client.delete(url(prefix, resource, foreign)), 404)
    foreign.refresh_from_db()  # still there, unchanged
    assert str(foreign) != "Renamed"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", TENANT_CALLERS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_lists_show_only_the_callers_restaurant(request, caller, resource, restaurant, ours, theirs):
    client = request.getfixturevalue(caller)
    response = client.get(url(restaurant, resource))
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(MODELS[resource].objects.for_restaurant(restaurant).values_list("pk", flat=True))
    assert theirs[resource].pk not in ids


@pytest.mark.django_db
@pytest.mark.parametrize("caller", TENANT_CALLERS)
def test_restaurant_list_and_detail_are_scoped(request, caller, restaurant, other_restaurant):
    client = request.getfixturevalue(caller)
    listed = client.get("/api/v1/restaurants/").json()["results"]
    assert [row["id"] for row in listed] == [restaurant.pk]
    assert client.get(f"/api/v1/restaurants/{restaurant.pk}/").status_code == 200
    assert_error(client.get(f"/api/v1/restaurants/{other_restaurant.pk}/"), 404, "not_found")
    assert_error(client.patch(f"/api/v1/restaurants/{other_restaurant.pk}/", {"name": "Taken"}), 404)
    other_restaurant.refresh_from_db()
    assert other_restaurant.name == "Rival Grill"


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES)
def test_a_manager_of_another_restaurant_gets_404_for_ours(outsider_api, restaurant, resource, ours):
    assert_error(outsider_api.get(url(restaurant, resource)), 404)
    assert_error(outsider_api.get(url(restaurant, resource, ours[resource])), 404)
    assert_error(outsider_api.delete(url(restaurant, resource, ours[resource])), 404)
    assert MODELS[resource].objects.filter(pk=ours[resource].pk).exists()


@pytest.mark.django_db
def test_a_reference_to_another_restaurants_section_is_a_400_naming_the_field(manager_api, restaurant, ours, theirs):
    response = manager_api.post(url(restaurant, "tables"), {"label": "X9", "section": theirs["sections"].pk})
    assert_error(response, 400, "invalid")
    assert "section" in response.json()["error"]["details"]
    response = manager_api.patch(url(restaurant, "tables", ours["tables"]), {"section": theirs["sections"].pk})
    assert_error(response, 400, "invalid")
    assert "section" in response.json()["error"]["details"]
    ours["tables"].refresh_from_db()
    assert ours["tables"].section_id == ours["sections"].pk


# --- roles: everyone of the restaurant reads; owners and managers write setup ---


@pytest.mark.django_db
@pytest.mark.parametrize("caller", READERS)
@pytest.mark.parametrize("resource", RESOURCES)
def test_every_member_and_key_of_the_restaurant_can_read(request, caller, resource, restaurant, ours):
    client = request.getfixturevalue(caller)
    assert client.get(url(restaurant, resource)).status_code == 200
    detail = client.get(url(restaurant, resource, ours[resource]))
    assert detail.status_code == 200
    assert detail.json()["id"] == ours[resource].pk


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["host_api", "staff_api"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_hosts_and_staff_cannot_write_setup(request, caller, resource, restaurant, ours):
    client = request.getfixturevalue(caller)
    model = MODELS[resource]
    before = model.objects.for_restaurant(restaurant).count()
    assert_error(client.post(url(restaurant, resource), create_payload(resource, ours)), 403, "permission_denied")
    assert_error(client.patch(url(restaurant, resource, ours[resource]), update_payload(resource)), 403)
    assert_error(client.delete(url(restaurant, resource, ours[resource])), 403)
    assert model.objects.for_restaurant(restaurant).count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["manager_api", "owner_api"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_owners_and_managers_create_update_and_delete(request, caller, resource, restaurant, ours):
    client = request.getfixturevalue(caller)
    created = client.post(url(restaurant, resource), create_payload(resource, ours))
    assert created.status_code == 201, created.content
    obj = MODELS[resource].objects.get(pk=created.json()["id"])
    assert obj.restaurant == restaurant
    assert client.patch(url(restaurant, resource, obj), update_payload(resource)).status_code == 200
    assert client.delete(url(restaurant, resource, obj)).status_code == 204
    assert not MODELS[resource].objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["sections", "tables", "staff"])
def test_keys_cannot_write_setup_whatever_their_scopes(key_api, resource, restaurant, ours):
    assert_error(key_api.post(url(restaurant, resource), create_payload(resource, ours)), 403)
    assert_error(key_api.patch(url(restaurant, resource, ours[resource]), update_payload(resource)), 403)
    assert_error(key_api.delete(url(restaurant, resource, ours[resource])), 403)


@pytest.mark.django_db
def test_only_a_key_with_the_pos_scope_writes_menu_items(make_key_api, restaurant, ours):
    frontend = make_key_api(restaurant, scopes=["frontend", "camera"], name="Frontend")
    pos = make_key_api(restaurant, scopes=["pos"], name="POS")
    assert_error(frontend.post(url(restaurant, "menu-items"), create_payload("menu-items", ours)), 403)
    created = pos.post(url(restaurant, "menu-items"), create_payload("menu-items", ours))
    assert created.status_code == 201
    item = MenuItem.objects.get(pk=created.json()["id"])
    assert pos.patch(url(restaurant, "menu-items", item), {"active": False}).json()["active"] is False
    assert pos.delete(url(restaurant, "menu-items", item)).status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_callers_get_401(api_client, restaurant, resource, ours):
    assert_error(api_client.get(url(restaurant, resource)), 401, "not_authenticated")
    assert_error(api_client.get(url(restaurant, resource, ours[resource])), 401)
    assert_error(api_client.post(url(restaurant, resource), create_payload(resource, ours)), 401)
    assert api_client.get(url(restaurant, resource)).headers["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
def test_anonymous_callers_get_401_for_the_restaurant_list(api_client, restaurant):
    assert_error(api_client.get("/api/v1/restaurants/"), 401, "not_authenticated")
    assert_error(api_client.get(f"/api/v1/restaurants/{restaurant.pk}/"), 401)


@pytest.mark.django_db
def test_a_superuser_sees_every_restaurant(restaurant, other_restaurant):
    from rest_framework.test import APIClient

    from restaurant.tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = APIClient()
    client.force_login(admin)
    ids = {row["id"] for row in client.get("/api/v1/restaurants/").json()["results"]}
    assert ids == {restaurant.pk, other_restaurant.pk}
